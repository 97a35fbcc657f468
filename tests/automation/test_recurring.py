"""Recurring series: the schedule in a time zone, runs driven by the reaper and the real
RQ worker (each a normal campaign with its own deliveries), skips that are logged, pause,
resume and edit. Time moves by setting a series' due time into the past (the clock the
domain functions take)."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from newsletter import jobs
from newsletter.automation import recurring
from newsletter.automation.recurring import SeriesError
from newsletter.campaigns import drafts, lifecycle
from newsletter.campaigns.drafts import CampaignError
from newsletter.extensions import db
from newsletter.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    RecurringRun,
    RecurringSeries,
    RunOutcome,
    utcnow,
)
from tests.factories import draft, list_with_contacts


def test_schedule_is_read_in_the_series_time_zone():
    winter = datetime(2026, 1, 7, 12, 0)  # a Wednesday, UTC
    summer = datetime(2026, 7, 8, 12, 0)
    monday_9 = "0 9 * * 1"
    assert recurring.next_after(monday_9, "Europe/Bratislava", winter) == \
        datetime(2026, 1, 12, 8, 0)  # 09:00 CET
    assert recurring.next_after(monday_9, "Europe/Bratislava", summer) == \
        datetime(2026, 7, 13, 7, 0)  # 09:00 CEST
    assert recurring.next_after(monday_9, "UTC", winter) == datetime(2026, 1, 12, 9, 0)
    with pytest.raises(SeriesError, match="not a cron expression"):
        recurring.next_after("every monday", "UTC", winter)
    with pytest.raises(SeriesError, match="Unknown time zone"):
        recurring.next_after(monday_9, "Mars/Olympus", winter)


def _series(mlist=None, **template_fields):
    template = draft(mlist or list_with_contacts("a@example.com", "b@example.com"),
                     **template_fields)
    series = recurring.create_series(db.session, template.id, name="Weekly news",
                                     cron="0 9 * * 1", timezone="Europe/Bratislava",
                                     now=utcnow())
    db.session.commit()
    return series


def _make_due(series: RecurringSeries, minutes_ago: int = 1) -> datetime:
    due = (utcnow() - timedelta(minutes=minutes_ago)).replace(microsecond=0)
    series.next_run_at = due
    db.session.commit()
    return due


def _runs(series_id: int) -> list[RecurringRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(RecurringRun).where(
        RecurringRun.series_id == series_id).order_by(RecurringRun.id)))


def test_each_run_is_a_normal_campaign_with_its_own_deliveries(app, worker, smtp_server):
    series = _series()
    template_id = series.template_campaign_id
    assert series.next_run_at > utcnow()
    assert jobs.reap() == []  # not due yet: nothing
    worker()
    assert smtp_server.messages == []

    for week in (1, 2):
        _make_due(series)
        jobs.reap()  # the reaper enqueues the series' job; the worker runs it and sends
        worker()
        runs = _runs(series.id)
        assert [r.outcome for r in runs] == [RunOutcome.STARTED] * week
        assert len(smtp_server.messages) == 2 * week
    first, second = (db.session.get(Campaign, r.campaign_id) for r in runs)
    assert first.id != second.id and template_id not in (first.id, second.id)
    for run in (first, second):
        assert run.series_id == series.id and run.status == CampaignStatus.FINISHED
        assert run.name.startswith("Weekly news ")
        assert db.session.scalar(select(func.count()).where(
            Delivery.campaign_id == run.id)) == 2
    assert db.session.get(Campaign, template_id).status == CampaignStatus.DRAFT
    db.session.refresh(series)
    assert series.next_run_at > utcnow()
    assert series.next_run_at.weekday() == 0  # a Monday again


def test_a_run_without_recipients_or_content_is_skipped_and_logged(app, worker,
                                                                     smtp_server):
    empty = list_with_contacts(name="Empty")
    series = _series(empty)
    _make_due(series)
    jobs.reap()
    worker()
    (run,) = _runs(series.id)
    assert run.outcome == RunOutcome.SKIPPED and run.campaign_id is None
    assert "No recipients" in run.reason
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1  # the template

    blank = _series(subject="", body="")
    _make_due(blank)
    jobs.reap()
    worker()
    assert "no content" in _runs(blank.id)[0].reason
    assert smtp_server.messages == []


def test_one_run_per_due_time_even_when_two_jobs_run_it(app):
    series = _series()
    _make_due(series)
    now = utcnow()
    first = recurring.run_due(db.session, series.id, now)
    second = recurring.run_due(db.session, series.id, now)
    db.session.commit()
    assert first is not None and second is None
    assert len(_runs(series.id)) == 1


def test_a_long_outage_makes_one_catch_up_run(app):
    series = _series()
    _make_due(series, minutes_ago=60 * 24 * 30)  # a month of Mondays missed
    assert recurring.run_due(db.session, series.id, utcnow()) is not None
    assert recurring.due_series(db.session, utcnow()) == []
    db.session.commit()
    assert len(_runs(series.id)) == 1


def test_pause_resume_and_edit(app, worker):
    series = _series()
    recurring.set_paused(db.session, series.id, True, utcnow())
    db.session.commit()
    assert series.next_run_at is None
    assert recurring.due_series(db.session, utcnow() + timedelta(days=30)) == []
    jobs.reap()
    worker()
    assert _runs(series.id) == []

    recurring.set_paused(db.session, series.id, False, utcnow())
    recurring.update_series(db.session, series.id, name="Daily news", cron="30 7 * * *",
                            timezone="UTC", now=utcnow())
    db.session.commit()
    assert series.next_run_at - utcnow() <= timedelta(days=1)
    assert (series.next_run_at.hour, series.next_run_at.minute) == (7, 30)
    with pytest.raises(SeriesError, match="not a cron expression"):
        recurring.update_series(db.session, series.id, name="x", cron="61 * * * *",
                                timezone="UTC", now=utcnow())


def test_the_template_is_never_sent_itself(app):
    series = _series()
    with pytest.raises(CampaignError, match="template of a recurring series"):
        lifecycle.start_campaign(db.session, series.template_campaign_id)
    db.session.rollback()
    with pytest.raises(SeriesError, match="already the template"):
        recurring.create_series(db.session, series.template_campaign_id, name="Again",
                                cron="0 9 * * *", timezone="UTC", now=utcnow())
    db.session.rollback()
    # editing the template changes the next runs (it stays an editable draft)
    drafts.save_campaign(db.session, series.template_campaign_id, name="Weekly",
                         subject="New subject", body_text="New body",
                         list_ids=[m.id for m in series.template.lists], sender_id=None)
    _make_due(series)
    run_id = recurring.run_due(db.session, series.id, utcnow())
    assert db.session.get(Campaign, run_id).subject == "New subject"
