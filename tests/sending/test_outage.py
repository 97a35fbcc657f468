"""A mail server that cannot be reached: the campaign waits for it (a circuit shared by all
workers, probed now and then) and spends nobody's attempts; the status tab says why."""

import time

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
from tests.sending.helpers import start, states
from tests.smtp_server import Unresponsive

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
    app.config["SMTP_PROBE_SECONDS"] = 0.5
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

    time.sleep(0.6)  # the probe is due: one worker tries, and fails again
    jobs.enqueue_send(campaign.id)
    worker()
    assert unresponsive.connections == 2
    again = circuit(app).outage()
    assert again.failures == 2 and again.since == outage.since
    wait = (again.next_probe_at - utcnow()).total_seconds()
    assert 0.5 < wait <= 1.0  # the probes back off
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
