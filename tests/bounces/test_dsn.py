"""DSNs sent back to the VERP address, through the real inbound listener."""

import smtplib

import pytest
from sqlalchemy import select

from newsletter.audience import suppression
from newsletter.bounces import inbound
from newsletter.extensions import db
from newsletter.models import Contact, Delivery
from tests.conftest import _allowed_smtp
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start, states
from tests.smtp_server import free_port


def dsn(return_path: str, recipient: str, action: str, status: str) -> bytes:
    return f"""From: MAILER-DAEMON@mx.example.org
To: {return_path}
Subject: Delivery Status Notification
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {status} mailbox problem

--B--
""".replace("\n", "\r\n").encode()


@pytest.fixture(params=[False, True], ids=["smtp", "lmtp"])
def listener(request, app):
    port = free_port()
    controller = inbound.start(app, "127.0.0.1", port, lmtp=request.param)
    _allowed_smtp.add(("127.0.0.1", port))

    def deliver(rcpt: str, data: bytes):
        client = smtplib.LMTP("127.0.0.1", port) if request.param else \
            smtplib.SMTP("127.0.0.1", port)
        with client:
            client.sendmail("MAILER-DAEMON@mx.example.org", [rcpt], data)

    yield deliver
    _allowed_smtp.discard(("127.0.0.1", port))
    controller.stop()


@pytest.fixture
def sent(app, worker, smtp_server):
    start(draft(list_with_contacts("gone@example.com", "full@example.com")))
    worker()
    return {m.rcpt_tos[0]: m.mail_from for m in smtp_server.messages}


def test_permanent_failure_bounces_and_suppresses(listener, sent):
    verp = sent["gone@example.com"]
    listener(verp, dsn(verp, "gone@example.com", "failed", "5.1.1"))
    assert states() == {"gone@example.com": "bounced", "full@example.com": "sent"}
    assert suppression.is_suppressed(db.session, "gone@example.com")
    contact = db.session.scalar(select(Contact).where(Contact.email == "gone@example.com"))
    assert contact.status == "bounced"


def test_temporary_reports_only_count_until_the_limit(app, listener, sent):
    app.config["SOFT_BOUNCE_LIMIT"] = 2
    verp = sent["full@example.com"]
    listener(verp, dsn(verp, "full@example.com", "delayed", "4.2.2"))
    assert states()["full@example.com"] == "sent"
    assert not suppression.is_suppressed(db.session, "full@example.com")
    listener(verp, dsn(verp, "full@example.com", "delayed", "4.2.2"))
    assert states()["full@example.com"] == "bounced"
    assert suppression.is_suppressed(db.session, "full@example.com")


def test_forged_or_unknown_verp_addresses_change_nothing(listener, sent):
    verp = sent["gone@example.com"]
    local, domain = verp.split("@")
    forged = f"{local[:-1]}{'0' if local[-1] != '0' else '1'}@{domain}"
    listener(forged, dsn(forged, "gone@example.com", "failed", "5.1.1"))
    listener(f"someone@{domain}", dsn("x", "gone@example.com", "failed", "5.1.1"))
    assert set(states().values()) == {"sent"}
    assert db.session.scalar(select(Delivery.error).where(Delivery.error.is_not(None))) is None


def test_list_unsubscribe_mailto_leaves_the_list(listener, sent, smtp_server):
    import re

    from newsletter.models import Subscription
    message = [m for m in smtp_server.messages if m.rcpt_tos == ["full@example.com"]][0]
    mailto = re.search(rb"<mailto:([^?>]+)\?subject=unsubscribe>", message.data).group(1)
    listener(mailto.decode(), b"Subject: unsubscribe\r\n\r\n")
    sub = db.session.scalar(select(Subscription).join(Contact).where(
        Contact.email == "full@example.com"))
    assert sub.status == "unsubscribed"
    assert states() == {"gone@example.com": "sent", "full@example.com": "sent"}
