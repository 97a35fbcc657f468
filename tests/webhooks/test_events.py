"""The events where they happen: a campaign's start and finish, clicks (one request per
drained batch), bounces and spam complaints coming back to the VERP address."""

import email
from email import policy

from sqlalchemy import select

from newsletter.audience import suppression
from newsletter.bounces import dsn
from newsletter.extensions import db
from newsletter.models import Contact, Delivery, Subscription, WebhookDelivery
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start
from tests.tracking.helpers import html_links, path_of, received, send

from .conftest import events_received


def test_a_campaign_reports_its_start_and_its_finish(endpoint, receiver, worker):
    endpoint(events=["campaign.started", "campaign.finished"])
    campaign = draft(list_with_contacts("a@example.com", "b@example.com"))
    start(campaign)
    worker()
    assert events_received(receiver) == ["campaign.started", "campaign.finished"]
    started, finished = (r.document["data"] for r in receiver.requests)
    assert started["campaign_id"] == campaign.id and started["recipients"] == 2
    assert finished["counts"] == {"sent": 2} and finished["finished_at"]
    assert all(r.signed for r in receiver.requests)


def test_clicks_are_reported_once_per_recorded_batch(endpoint, receiver, worker, client,
                                                     smtp_server):
    endpoint(events=["clicked"])
    send("a@example.com", "b@example.com", worker=worker)
    for address in ("a@example.com", "b@example.com"):
        tracked = [u for u in html_links(received(smtp_server, address)) if "/c/" in u]
        for url in tracked:
            assert client.get(path_of(url)).status_code == 302
    worker()
    [got] = receiver.requests  # four clicks, one drained batch, one request
    clicks = got.document["data"]["clicks"]
    assert len(clicks) == 4
    assert sorted({c["address"] for c in clicks}) == ["a@example.com", "b@example.com"]
    assert {c["url"] for c in clicks} == {"https://shop.example/sale?a=1&b=2",
                                          "https://blog.example/"}
    assert db.session.scalar(select(WebhookDelivery.event)) == "clicked"


def _arf(return_path: str, recipient: str) -> bytes:
    return f"""From: feedback@isp.example
To: {return_path}
Subject: Abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="B"

--B
Content-Type: text/plain

This is an abuse report for a message received from our user.

--B
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: isp-fbl/1.0
Version: 1
Original-Rcpt-To: {recipient}

--B--
""".replace("\n", "\r\n").encode()


def test_bounces_and_spam_complaints_are_reported(endpoint, receiver, worker, smtp_server):
    endpoint(events=["bounced", "complained", "unsubscribed"])
    start(draft(list_with_contacts("gone@example.com", "angry@example.com")))
    worker()
    verp = {m.rcpt_tos[0]: m.mail_from for m in smtp_server.messages}
    report = f"""From: MAILER-DAEMON@mx.example.org
To: {verp['gone@example.com']}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; gone@example.com
Action: failed
Status: 5.1.1

--B--
""".replace("\n", "\r\n").encode()
    assert dsn.process(db.session, verp["gone@example.com"], report, 3) == dsn.Outcome.HARD
    assert dsn.process(db.session, verp["angry@example.com"],
                       _arf(verp["angry@example.com"], "angry@example.com"), 3) \
        == dsn.Outcome.COMPLAINT
    db.session.commit()
    worker()
    assert sorted(events_received(receiver)) == ["bounced", "complained", "unsubscribed"]
    by_event = {r.document["event"]: r.document["data"] for r in receiver.requests}
    assert by_event["bounced"]["address"] == "gone@example.com"
    assert by_event["bounced"]["reason"].startswith("permanent failure reported")
    assert by_event["complained"]["address"] == "angry@example.com"
    assert by_event["unsubscribed"]["source"] == "spam complaint"

    # the complaint's effects a user sees: suppressed, unsubscribed, counted
    assert suppression.is_suppressed(db.session, "angry@example.com")
    contact = db.session.scalar(select(Contact).where(Contact.email == "angry@example.com"))
    sub = db.session.scalar(select(Subscription).where(Subscription.contact_id == contact.id))
    assert sub.status == "unsubscribed" and contact.status == "inactive"
    delivery = db.session.scalar(select(Delivery).where(Delivery.address == "angry@example.com"))
    assert delivery.unsubscribed_at is not None and delivery.state == "sent"


def test_a_feedback_report_is_recognized_and_a_delivery_report_is_not():
    arf = email.message_from_bytes(_arf("x@y", "z@y"), policy=policy.compat32)
    assert dsn.is_complaint(arf)
    plain = email.message_from_bytes(b"Content-Type: multipart/report; "
                                     b"report-type=delivery-status; boundary=B\r\n\r\n--B--",
                                     policy=policy.compat32)
    assert not dsn.is_complaint(plain)
