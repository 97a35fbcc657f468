"""The vertical slice: start a campaign, the real worker sends it to the real SMTP server."""

from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from newsletter import jobs
from newsletter.campaigns import drafts, lifecycle
from newsletter.extensions import db
from newsletter.models import Delivery, SenderIdentity
from tests.factories import draft, list_with_contacts


def start(campaign) -> int:
    created = lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    return created


def test_campaign_is_sent_to_every_confirmed_subscriber(client, login, worker, smtp_server):
    login()
    mlist = list_with_contacts("a@example.com", "b@example.com")
    sender = SenderIdentity(name="News", from_name="Acme News", from_email="news@acme.test",
                            reply_to="desk@acme.test")
    db.session.add(sender)
    db.session.commit()
    campaign = draft(mlist, subject="Spring news", body="Hello Čau,\nspring is here.\n",
                     sender_id=sender.id)

    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Sending started: 2 recipients." in response.text
    worker()

    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["a@example.com",
                                                                   "b@example.com"]
    msg = message_from_bytes(smtp_server.messages[0].data, policy=policy.default)
    assert msg["Subject"] == "Spring news"
    assert msg["From"] == "Acme News <news@acme.test>"
    assert msg["Reply-To"] == "desk@acme.test"
    assert msg["Message-ID"].endswith("@acme.test>")
    assert "spring is here" in msg.get_body(("plain",)).get_content()

    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert 'data-stat="recipients">2<' in page and 'data-stat="sent">2<' in page
    assert "finished" in page


def test_a_contact_on_two_lists_gets_one_message(login, worker, smtp_server):
    a = list_with_contacts("a@example.com", name="A")
    b = list_with_contacts("a@example.com", name="B")
    campaign = draft(a)
    campaign = drafts.save_campaign(db.session, campaign.id, name="x", subject="s",
                                       body_text="b", list_ids=[a.id, b.id], sender_id=None)
    db.session.commit()
    assert start(campaign) == 1
    worker()
    assert len(smtp_server.messages) == 1


def test_refused_recipient_fails_and_the_page_shows_the_server_reply(
        client, login, worker, smtp_server):
    login()
    smtp_server.handler.rcpt_replies["gone@example.com"] = "550 5.7.1 Rejected by policy"
    campaign = draft(list_with_contacts("gone@example.com", "ok@example.com"))
    start(campaign)
    worker()

    states = dict(db.session.execute(select(Delivery.address, Delivery.state)).all())
    assert states == {"gone@example.com": "failed", "ok@example.com": "sent"}
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "550 5.7.1 Rejected by policy" in page
    assert 'data-stat="failed">1<' in page and 'data-stat="sent">1<' in page
    assert "finished" in page


def test_temporary_refusal_defers_and_keeps_the_campaign_running(
        client, login, worker, smtp_server, app):
    login()
    smtp_server.handler.rcpt_replies["busy@example.com"] = "450 4.2.1 Try again later"
    campaign = draft(list_with_contacts("busy@example.com"))
    start(campaign)
    worker()

    delivery = db.session.scalar(select(Delivery))
    assert delivery.state == "deferred" and delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "450 4.2.1 Try again later" in page and "running" in page
    # a retry was scheduled with RQ's scheduler for when the delivery falls due
    from rq.registry import ScheduledJobRegistry

    from newsletter import queue
    assert ScheduledJobRegistry(queue=queue.get_queue(queue.SENDING)).count == 1


@pytest.fixture
def allow_smtp():
    from tests.conftest import _allowed_smtp

    added = []

    def allow(host, port):
        _allowed_smtp.add((host, port))
        added.append((host, port))

    yield allow
    for item in added:
        _allowed_smtp.discard(item)


def test_unreachable_server_waits_with_a_clear_reason(app, client, login, worker,
                                                      allow_smtp):
    from tests.smtp_server import free_port

    login()

    port = free_port()  # nothing listens here
    allow_smtp("127.0.0.1", port)
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    campaign = draft(list_with_contacts("a@example.com"))
    start(campaign)
    worker()
    delivery = db.session.scalar(select(Delivery))
    assert delivery.state == "queued" and delivery.attempts == 0  # it waits, untouched
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert f"cannot connect to plain SMTP 127.0.0.1:{port}" in page


def test_a_line_starting_with_a_dot_arrives_intact(app, worker, smtp_server):
    campaign = draft(list_with_contacts("a@example.com"),
                     body="Hello,\n.\n..two dots\n.one dot\nend\n")
    start(campaign)
    worker()
    [received] = smtp_server.messages
    text = message_from_bytes(received.data, policy=policy.default) \
        .get_body(("plain",)).get_content()
    assert "Hello,\n.\n..two dots\n.one dot\nend\n" in text.replace("\r\n", "\n")
