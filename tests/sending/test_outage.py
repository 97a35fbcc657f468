"""A mail server that cannot be reached: the campaign waits for it (a circuit shared by all
workers, probed now and then) and spends nobody's attempts; the status tab says why."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from newsletter import jobs, queue
from newsletter.campaigns import progress
from newsletter.channels.smtp import mail_server_circuit
from newsletter.extensions import db
from newsletter.models import Delivery, utcnow
from tests.conftest import _allowed_smtp
from tests.factories import draft, list_with_contacts
from tests.processes import spawn, wait_for  # noqa: F401
from tests.sending.helpers import start, states
from tests.sending.test_smtp_sink import SINK
from tests.smtp_server import Unresponsive, free_port

EMAILS = ("a@example.com", "b@example.com", "c@example.com")


@pytest.fixture
def unresponsive(app):
    server = Unresponsive()
    _allowed_smtp.add(("127.0.0.1", server.port))
    app.config["SMTP_URL"] = server.url
    yield server
    server.close()
    _allowed_smtp.discard(("127.0.0.1", server.port))


def attempts() -> dict[str, int]:
    db.session.expire_all()
    return dict(db.session.execute(select(Delivery.address, Delivery.attempts)).all())


def circuit(app):
    return mail_server_circuit(app.config, queue.get_redis())


def test_an_unreachable_server_is_tried_once_per_round_and_spends_no_attempts(
        app, worker, unresponsive):
    app.config["SMTP_PROBE_SECONDS"] = 2
    campaign = draft(list_with_contacts(*EMAILS))
    start(campaign)
    worker()
    assert unresponsive.connections == 1  # not once per recipient
    assert states() == dict.fromkeys(EMAILS, "queued")
    assert attempts() == dict.fromkeys(EMAILS, 0)
    assert all(e is None for e in db.session.scalars(select(Delivery.error)))
    outage = circuit(app).outage()
    assert outage.failures == 1 and "cannot connect to plain SMTP" in outage.reason
    # one rerun, when the probe is due
    registry = ScheduledJobRegistry(queue=queue.get_queue(queue.SENDING))
    [job_id] = registry.get_job_ids()
    due = registry.get_scheduled_time(job_id).replace(tzinfo=None)
    assert abs((due - outage.next_probe_at).total_seconds()) <= 1

    jobs.enqueue_send(campaign.id)  # before the probe is due: nobody connects
    worker()
    assert unresponsive.connections == 1

    time.sleep(max(0.0, (outage.next_probe_at - utcnow()).total_seconds()) + 0.1)
    # the probe is due: one worker tries, and fails again
    jobs.enqueue_send(campaign.id)
    worker()
    assert unresponsive.connections == 2
    again = circuit(app).outage()
    assert again.failures == 2 and again.since == outage.since
    wait = (again.next_probe_at - utcnow()).total_seconds()
    assert 2 < wait <= 4  # the probes back off
    assert attempts() == dict.fromkeys(EMAILS, 0)


def test_the_campaign_resumes_when_the_server_answers_again(app, worker, smtp_server, client,
                                                          login):
    login()
    app.config["SMTP_PROBE_SECONDS"] = 0.2
    campaign = draft(list_with_contacts(*EMAILS))
    smtp_server.go_down()
    try:
        start(campaign)
        worker()
        live = client.get(f"/admin/campaigns/{campaign.id}/status.json").json
        assert live["status"] == "running" and live["queued"] == 3
        assert "Connection refused" in live["mail_server"]["reason"]
        since = live["mail_server"]["since"]
        page = client.get(f"/admin/campaigns/{campaign.id}").text
        assert f"Waiting for the mail server since <strong data-wait=\"since\">" \
               f"{since[11:16]}</strong> UTC" in page
        assert "Connection refused" in page
    finally:
        smtp_server.come_up()
    time.sleep(0.3)
    jobs.enqueue_send(campaign.id)
    worker()
    assert states() == dict.fromkeys(EMAILS, "sent")
    assert attempts() == dict.fromkeys(EMAILS, 1)  # the outage spent none
    assert circuit(app).outage() is None
    live = client.get(f"/admin/campaigns/{campaign.id}/status.json").json
    assert live["status"] == "finished" and live["mail_server"] is None
    assert 'id="mail-server-wait" hidden' in client.get(f"/admin/campaigns/{campaign.id}").text


def test_every_worker_waits_for_the_circuit_of_that_server(app, worker, unresponsive):
    """Another campaign (another job, as on another worker) does not knock on the door
    while the probe is not due."""
    app.config["SMTP_PROBE_SECONDS"] = 60
    first = draft(list_with_contacts("a@example.com", name="One"))
    start(first)
    worker()
    assert unresponsive.connections == 1
    second = draft(list_with_contacts("b@example.com", name="Two"))
    start(second)
    worker()
    assert unresponsive.connections == 1
    assert progress.live_status(db.session, second.id)["mail_server"]["failures"] == 1


def start_sink(port: int, dump: Path) -> subprocess.Popen:
    proc = subprocess.Popen([SINK, "-u", "nobody", "-d", f"{dump}/%M.", f"127.0.0.1:{port}",
                             "16"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise AssertionError("smtp-sink did not start")


def sink_recipients(dump: Path) -> Counter:
    return Counter(message_from_bytes(f.read_bytes())["X-Rcpt-Args"].strip("<>")
                   for f in dump.iterdir())


def test_a_campaign_started_during_an_outage_completes_when_the_sink_comes_up(
        app, spawn):  # noqa: F811
    """The mail server (Postfix's smtp-sink) is down when the campaign starts and when its
    worker starts; once it comes up everything goes out: nothing lost, nothing duplicated,
    nobody's attempts spent by the outage."""
    if not os.path.exists(SINK):
        pytest.skip("smtp-sink not installed (apt-get install postfix)")
    port = free_port()
    _allowed_smtp.add(("127.0.0.1", port))
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    emails = [f"reader{i:02}@example.com" for i in range(30)]
    campaign = draft(list_with_contacts(*emails))
    start(campaign)
    worker = spawn(SMTP_URL=app.config["SMTP_URL"], NEWSLETTER_SMTP_PROBE_SECONDS="0.5",
                   NEWSLETTER_SMTP_PROBE_MAX_SECONDS=1, NEWSLETTER_SEND_BATCH_SIZE=7)
    wait_for(lambda: getattr(circuit(app).outage(), "failures", 0) >= 3, 15,
             lambda: str(queue.get_redis().hgetall(circuit(app).key)))
    assert "warning: cannot connect to plain SMTP" in worker.log()
    live = progress.live_status(db.session, campaign.id)
    assert live["status"] == "running" and live["queued"] == len(emails)
    assert "Connection refused" in live["mail_server"]["reason"]
    assert live["workers"]["alive"] == 1

    dump = Path(tempfile.mkdtemp(prefix="nl-sink-"))  # a directory nobody can reach
    dump.chmod(0o777)  # smtp-sink writes as nobody
    sink = start_sink(port, dump)
    try:
        wait_for(lambda: progress.live_status(db.session, campaign.id)["status"] == "finished"
                 or db.session.expire_all(), 60, worker.log)
        time.sleep(0.5)  # anything sent twice would arrive now
        assert sink_recipients(dump) == dict.fromkeys(emails, 1)  # none lost, none twice
    finally:
        sink.terminate()
        sink.wait()
        _allowed_smtp.discard(("127.0.0.1", port))
        shutil.rmtree(dump)
    assert states() == dict.fromkeys(emails, "sent")
    assert attempts() == dict.fromkeys(emails, 1)  # the one that went through
    assert circuit(app).outage() is None
    assert progress.live_status(db.session, campaign.id)["mail_server"] is None
