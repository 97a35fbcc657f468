"""A campaign's recipients and schedule: extra recipients, dedupe, sending when due."""

from datetime import timedelta

import pytest

from newsletter import jobs
from newsletter.campaigns import drafts, lifecycle
from newsletter.campaigns.drafts import CampaignError
from newsletter.extensions import db
from newsletter.models import Campaign, utcnow
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start


def test_extra_recipients_and_dedupe(app, worker, smtp_server):
    mlist = list_with_contacts("a@example.com")
    campaign = drafts.save_campaign(
        db.session, None, name="x", subject="s", body_text="b", list_ids=[mlist.id],
        sender_id=None, extra_recipients="Boss@Example.com\na@example.com, other@example.com")
    db.session.commit()
    assert start(campaign) == 3
    worker()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "a@example.com", "boss@example.com", "other@example.com"]


def test_bad_extra_recipients_are_all_named(app):
    mlist = list_with_contacts("a@example.com")
    with pytest.raises(CampaignError, match="not-an-address, also bad"):
        drafts.save_campaign(db.session, None, name="x", subject="s", body_text="b",
                                list_ids=[mlist.id], sender_id=None,
                                extra_recipients="ok@example.com\nnot-an-address\nalso bad")


def test_scheduled_campaign_starts_when_due(app, worker, smtp_server):
    campaign = draft(list_with_contacts("a@example.com", "b@example.com", "c@example.com"))
    with pytest.raises(CampaignError, match="future"):
        lifecycle.schedule_campaign(db.session, campaign.id, utcnow() - timedelta(minutes=1))
    lifecycle.schedule_campaign(db.session, campaign.id, utcnow() + timedelta(minutes=5))
    db.session.commit()
    assert jobs.reap() == []  # not due yet
    db.session.get(Campaign, campaign.id).send_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert jobs.reap() == [campaign.id]
    worker()
    db.session.expire_all()
    assert len(smtp_server.messages) == 3
    assert db.session.get(Campaign, campaign.id).status == "finished"



def test_unschedule_returns_the_campaign_to_draft_and_its_old_job_sends_nothing(
        app, worker, smtp_server):
    campaign = draft(list_with_contacts("a@example.com"))
    lifecycle.schedule_campaign(db.session, campaign.id, utcnow() + timedelta(minutes=5))
    db.session.commit()
    lifecycle.unschedule_campaign(db.session, campaign.id)
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Campaign, campaign.id)
    assert (again.status, again.send_at) == ("draft", None)
    jobs.start_scheduled(campaign.id)  # the job of the first schedule comes due anyway
    worker()
    assert smtp_server.messages == []
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"
    with pytest.raises(CampaignError, match="only a scheduled campaign"):
        lifecycle.unschedule_campaign(db.session, campaign.id)

    # rescheduled later: the first schedule's job, running early, does not start it either
    lifecycle.schedule_campaign(db.session, campaign.id, utcnow() + timedelta(hours=2))
    db.session.commit()
    jobs.start_scheduled(campaign.id)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "scheduled"
