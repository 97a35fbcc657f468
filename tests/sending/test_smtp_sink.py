"""The same faults against Postfix's smtp-sink, with and without PIPELINING."""

import os
import shutil
import subprocess
import tempfile
import time
from email import message_from_bytes
from pathlib import Path

import pytest

from newsletter.channels.smtp import SMTPMessenger, parse_smtp_url
from newsletter.extensions import db
from newsletter.sending import engine
from tests.conftest import _allowed_smtp
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start, states
from tests.smtp_server import free_port

SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"


@pytest.fixture
def sink():
    if not os.path.exists(SINK):
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{SINK} is missing in CI (.ci/run installs postfix)")
        pytest.skip("smtp-sink not installed (apt-get install postfix)")
    procs = []

    def run(*flags):
        port = free_port()
        proc = subprocess.Popen([SINK, "-u", "nobody", *flags, f"127.0.0.1:{port}", "16"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        _allowed_smtp.add(("127.0.0.1", port))
        for _ in range(100):
            try:
                SMTPMessenger(parse_smtp_url(f"smtp://127.0.0.1:{port}")).connect().quit()
                break
            except Exception:
                time.sleep(0.05)
        return f"smtp://127.0.0.1:{port}"

    yield run
    for proc in procs:
        proc.terminate()
        proc.wait()


def send_all(app, url):
    app.config["SMTP_URL"] = url
    campaign = draft(list_with_contacts("a@example.com", "b@example.com"))
    start(campaign)
    engine.run_campaign(db.session, campaign.id, SMTPMessenger(parse_smtp_url(url)),
                         engine.SendPolicy.from_config(app.config))
    return states()


@pytest.mark.parametrize("pipelining", [[], ["-p"]], ids=["pipelined", "step-by-step"])
def test_accepts_everything(app, sink, pipelining):
    assert set(send_all(app, sink(*pipelining)).values()) == {"sent"}


@pytest.mark.parametrize("pipelining", [[], ["-p"]], ids=["pipelined", "step-by-step"])
def test_soft_rcpt_rejection_defers(app, sink, pipelining):
    assert set(send_all(app, sink("-r", "RCPT", *pipelining)).values()) == {"deferred"}


@pytest.mark.parametrize("pipelining", [[], ["-p"]], ids=["pipelined", "step-by-step"])
def test_hard_rcpt_rejection_fails(app, sink, pipelining):
    assert set(send_all(app, sink("-f", "RCPT", *pipelining)).values()) == {"failed"}


def test_hard_data_rejection_fails(app, sink):
    assert set(send_all(app, sink("-f", ".")).values()) == {"failed"}


def test_disconnect_after_the_data_is_in_doubt(app, sink):
    got = send_all(app, sink("-q", "."))
    assert set(got.values()) == {"deferred"}
    from sqlalchemy import select

    from newsletter.models import Delivery
    assert all("delivery unknown" in e for e in db.session.scalars(select(Delivery.error)))


@pytest.mark.parametrize("pipelining", [[], ["-p"]], ids=["pipelined", "step-by-step"])
def test_every_message_goes_with_its_own_envelope(app, sink, pipelining):
    """Envelopes are written ahead of the data (behind the previous message's); each
    recipient must still get exactly their own message, across batch boundaries."""
    dump = Path(tempfile.mkdtemp(prefix="nl-sink-"))
    dump.chmod(0o777)  # smtp-sink writes as nobody
    try:
        app.config["SEND_BATCH_SIZE"] = 3
        addresses = [f"reader{i}@example.com" for i in range(8)]
        app.config["SMTP_URL"] = url = sink("-d", f"{dump}/%M.", *pipelining)
        campaign = draft(list_with_contacts(*addresses))
        start(campaign)
        engine.run_campaign(db.session, campaign.id, SMTPMessenger(parse_smtp_url(url)),
                             engine.SendPolicy.from_config(app.config))
        assert set(states().values()) == {"sent"}
        received = [message_from_bytes(f.read_bytes()) for f in dump.iterdir()]
        assert sorted(m["X-Rcpt-Args"] for m in received) == sorted(f"<{a}>" for a in addresses)
        for message in received:
            assert message["X-Rcpt-Args"] == f"<{message['To']}>"
            assert message["X-Mail-Args"].startswith("<bounces+")
    finally:
        shutil.rmtree(dump)
