"""Pause, resume, cancel, resend, schedule, and subscribers' choices mid-campaign."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from newsletter import jobs
from newsletter.audience import suppression
from newsletter.campaigns import lifecycle, progress
from newsletter.campaigns.drafts import CampaignError
from newsletter.extensions import db
from newsletter.models import Campaign, Delivery, Subscription, utcnow
from newsletter.sending import engine
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start, states

EMAILS = ("a@example.com", "b@example.com", "c@example.com")


def status(campaign) -> str:
    db.session.expire_all()
    return db.session.get(Campaign, campaign.id).status


def test_pause_then_resume_sends_each_message_once(app, worker, smtp_server):
    campaign = draft(list_with_contacts(*EMAILS))
    start(campaign)
    lifecycle.set_paused(db.session, campaign.id, True)
    db.session.commit()
    worker()
    assert smtp_server.messages == [] and set(states().values()) == {"queued"}
    assert status(campaign) == "paused"

    lifecycle.set_paused(db.session, campaign.id, False)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    jobs.enqueue_send(campaign.id)  # a double enqueue changes nothing
    worker()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == list(EMAILS)
    assert status(campaign) == "finished"


def test_cancel_stops_everything_not_yet_sent(app, worker, smtp_server):
    campaign = draft(list_with_contacts(*EMAILS))
    start(campaign)
    assert lifecycle.cancel_campaign(db.session, campaign.id) == 3
    db.session.commit()
    worker()
    assert smtp_server.messages == [] and set(states().values()) == {"cancelled"}
    assert status(campaign) == "cancelled"
    with pytest.raises(CampaignError, match="nothing to cancel"):
        lifecycle.cancel_campaign(db.session, campaign.id)


def test_unsubscribe_after_start_stops_that_delivery(app, worker, smtp_server):
    campaign = draft(list_with_contacts(*EMAILS))
    start(campaign)
    db.session.execute(update(Subscription).where(
        Subscription.contact_id == db.session.scalar(
            select(Delivery.contact_id).where(Delivery.address == "b@example.com")))
        .values(status="unsubscribed"))
    db.session.commit()
    worker()
    assert states() == {"a@example.com": "sent", "b@example.com": "cancelled",
                        "c@example.com": "sent"}
    assert "b@example.com" not in [m.rcpt_tos[0] for m in smtp_server.messages]


def test_the_unsubscribe_check_covers_recipients_far_into_a_batch(app, worker, smtp_server,
                                                                 monkeypatch):
    """However fast a run goes, no recipient is sent to without a recent check."""
    monkeypatch.setattr(engine, "CHECK_AHEAD", 2)
    monkeypatch.setattr(engine, "CHECK_INTERVAL", 3600)  # only the count triggers checks
    emails = [f"r{i}@example.com" for i in range(6)]
    campaign = draft(list_with_contacts(*emails))
    start(campaign)
    db.session.execute(update(Subscription).where(
        Subscription.contact_id == db.session.scalar(
            select(Delivery.contact_id).where(Delivery.address == "r5@example.com")))
        .values(status="unsubscribed"))
    db.session.commit()
    worker()
    assert states() == {**{e: "sent" for e in emails[:5]}, "r5@example.com": "cancelled"}


def test_suppressed_after_start_is_dropped_at_claim(app, worker, smtp_server):
    campaign = draft(list_with_contacts(*EMAILS))
    start(campaign)
    suppression.suppress(db.session, "c@example.com", suppression.Reason.ERASED)
    db.session.commit()
    worker()
    assert states()["c@example.com"] == "cancelled"
    assert len(smtp_server.messages) == 2


def test_campaign_is_not_finished_while_deliveries_are_deferred(app, worker, smtp_server):
    smtp_server.handler.rcpt_replies["a@example.com"] = "450 busy"
    campaign = draft(list_with_contacts(*EMAILS))
    start(campaign)
    worker()
    assert status(campaign) == "running"
    live = progress.live_status(db.session, campaign.id)
    assert (live["sent"], live["deferred"], live["recipients"]) == (2, 1, 3)
    assert live["progress"] == pytest.approx(66.7)


def test_resend_to_failed_after_the_problem_is_fixed(app, worker, smtp_server):
    smtp_server.handler.rcpt_replies["a@example.com"] = "554 5.7.1 Blocked for spam"
    campaign = draft(list_with_contacts(*EMAILS))
    start(campaign)
    worker()
    assert status(campaign) == "finished" and states()["a@example.com"] == "failed"
    smtp_server.handler.rcpt_replies.clear()
    assert lifecycle.resend_failed(db.session, campaign.id) == 1
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    assert states()["a@example.com"] == "sent" and status(campaign) == "finished"
    assert [m.rcpt_tos[0] for m in smtp_server.messages].count("a@example.com") == 1


def test_reaper_restarts_a_campaign_whose_worker_died(app, worker, smtp_server):
    campaign = draft(list_with_contacts(*EMAILS))
    lifecycle.start_campaign(db.session, campaign.id)  # started, but its job was lost
    db.session.execute(update(Delivery).values(
        state="sending", claimed_by="dead-host:1", lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert jobs.reap() == [campaign.id]
    assert jobs.reap() == []  # its jobs are queued: no duplicates
    worker()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == list(EMAILS)


def test_outcomes_journaled_by_a_dead_worker_are_applied_not_resent(app, worker, smtp_server):
    from newsletter import queue
    from newsletter.sending import journal

    campaign = draft(list_with_contacts(*EMAILS))
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.execute(update(Delivery).values(
        state="sending", claimed_by="dead-host:1", lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    first = db.session.scalar(select(Delivery).where(Delivery.address == "a@example.com"))
    # the dead worker had sent a@ and written it to the journal, but not yet to the database
    journal.Journal(queue.get_redis(), campaign.id).record(first.id, {
        "state": "sent", "attempts": 1, "sent_at": utcnow(), "smtp_reply": "250 OK"})
    jobs.enqueue_send(campaign.id)
    worker()
    assert states() == {e: "sent" for e in EMAILS}
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["b@example.com",
                                                                   "c@example.com"]
