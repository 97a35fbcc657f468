"""SMTP faults against the real test server: each recipient's outcome is its own."""

from datetime import timedelta

from sqlalchemy import select

from newsletter import jobs
from newsletter.audience import suppression
from newsletter.extensions import db
from newsletter.models import Contact, Delivery, utcnow
from tests.conftest import _allowed_smtp as allowed
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start, states
from tests.smtp_server import free_port


def test_450_on_rcpt_defers_with_backoff_then_sends(app, worker, smtp_server):
    smtp_server.handler.rcpt_replies["busy@example.com"] = "450 4.2.1 Mailbox busy"
    campaign = draft(list_with_contacts("busy@example.com", "ok@example.com"))
    start(campaign)
    worker()
    assert states() == {"busy@example.com": "deferred", "ok@example.com": "sent"}
    busy = db.session.scalar(select(Delivery).where(Delivery.address == "busy@example.com"))
    assert busy.attempts == 1 and busy.error == "450 4.2.1 Mailbox busy"
    wait = busy.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)  # base backoff

    smtp_server.handler.rcpt_replies.clear()
    busy.next_attempt_at = utcnow() - timedelta(seconds=1)  # the backoff has passed
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    assert states()["busy@example.com"] == "sent"
    assert [m.rcpt_tos for m in smtp_server.messages].count(["busy@example.com"]) == 1


def test_backoff_grows_and_ends_in_failure(app, worker, smtp_server):
    app.config["SEND_MAX_ATTEMPTS"] = 3
    smtp_server.handler.rcpt_replies["busy@example.com"] = "451 4.3.0 Try later"
    campaign = draft(list_with_contacts("busy@example.com"))
    start(campaign)
    waits = []
    for _ in range(3):
        worker()
        delivery = db.session.scalar(select(Delivery))
        if delivery.state == "deferred":
            waits.append((delivery.next_attempt_at - utcnow()).total_seconds())
            delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
            jobs.enqueue_send(campaign.id)
    assert [round(w, -1) for w in waits] == [60, 120]
    assert states() == {"busy@example.com": "failed"}
    assert db.session.get(type(campaign), campaign.id).status == "finished"


def test_550_fails_only_that_recipient(app, worker, smtp_server):
    smtp_server.handler.rcpt_replies["no@example.com"] = "550 5.7.1 Policy rejection"
    campaign = draft(list_with_contacts("no@example.com", "yes@example.com"))
    start(campaign)
    worker()
    assert states() == {"no@example.com": "failed", "yes@example.com": "sent"}
    assert not suppression.is_suppressed(db.session, "no@example.com")


def test_511_is_a_hard_bounce_and_suppresses_the_address(app, worker, smtp_server):
    smtp_server.handler.rcpt_replies["gone@example.com"] = "550 5.1.1 User unknown"
    campaign = draft(list_with_contacts("gone@example.com"))
    start(campaign)
    worker()
    assert states() == {"gone@example.com": "bounced"}
    assert suppression.is_suppressed(db.session, "gone@example.com")
    assert db.session.scalar(select(Contact.status)) == "bounced"


def test_421_backs_off_the_connection_and_keeps_the_rest_queued(app, worker, smtp_server):
    smtp_server.handler.data_replies.append("421 4.7.0 Too many messages, slow down")
    campaign = draft(list_with_contacts("a@example.com", "b@example.com", "c@example.com"))
    start(campaign)
    worker()
    assert sorted(states().values()) == ["deferred", "queued", "queued"]
    assert smtp_server.messages == []
    from rq.registry import ScheduledJobRegistry

    from newsletter import queue
    registry = ScheduledJobRegistry(queue=queue.get_queue(queue.SENDING))
    [job_id] = registry.get_job_ids()
    due = registry.get_scheduled_time(job_id).replace(tzinfo=None)
    assert timedelta(seconds=50) < due - utcnow() <= timedelta(seconds=61)  # never early


def test_lost_reply_during_data_is_in_doubt_and_the_rest_still_go(app, worker, smtp_server):
    smtp_server.handler.drop_during_data = 1
    campaign = draft(list_with_contacts("a@example.com", "b@example.com"))
    start(campaign)
    worker()
    assert sorted(states().values()) == ["deferred", "sent"]
    doubt = db.session.scalar(select(Delivery).where(Delivery.state == "deferred"))
    assert "delivery unknown" in doubt.error  # retried later: at-least-once for this one


def test_unreachable_server_then_recovery(app, worker, smtp_server):
    real = app.config["SMTP_URL"]
    dead = free_port()
    allowed.add(("127.0.0.1", dead))
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{dead}"
    campaign = draft(list_with_contacts("a@example.com"))
    start(campaign)
    worker()
    assert states() == {"a@example.com": "queued"}  # waiting for the server, untouched
    assert db.session.scalar(select(Delivery.attempts)) == 0
    app.config["SMTP_URL"] = real
    jobs.enqueue_send(campaign.id)
    worker()
    assert states() == {"a@example.com": "sent"}
    assert db.session.scalar(select(Delivery.attempts)) == 1
    allowed.discard(("127.0.0.1", dead))
