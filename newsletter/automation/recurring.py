"""Recurring series: create, edit, pause and resume; which are due; and one run (the
claim of the due time, the copy of the template, or the logged skip). Times are naive UTC
in the database; the cron expression is read in the series' time zone (so "0 9 * * 1" is
09:00 there, summer time or not)."""

import copy
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, croniter
from flask_babel import gettext
from sqlalchemy import select, update

from newsletter.campaigns import recipients
from newsletter.campaigns.drafts import get_campaign
from newsletter.errors import DomainError
from newsletter.models import (
    Campaign,
    CampaignAttachment,
    CampaignStatus,
    Channel,
    RecurringRun,
    RecurringSeries,
    RunOutcome,
)
from newsletter.texts import N_, stored

from . import feeds

#: what a run does not copy from its template: its identity, state and counters
NOT_COPIED = {"id", "name", "status", "send_at", "started_at", "finished_at", "last_sent_at",
              "created_at", "tested_at", "sms_parts_reserved", "sms_parts_used", "series_id"}


class SeriesError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise SeriesError(gettext("Unknown time zone '%(zone)s' (e.g. Europe/Bratislava, "
                                  "UTC).", zone=name), "timezone") from None


def next_after(cron: str, timezone: str, after: datetime) -> datetime:
    """The first time the expression fires after ``after`` (naive UTC), as naive UTC."""
    local = after.replace(tzinfo=UTC).astimezone(zone(timezone))
    try:
        fired = croniter(cron.strip(), local).get_next(datetime)
    except (CroniterBadCronError, ValueError, KeyError):
        raise SeriesError(gettext("'%(cron)s' is not a cron expression (minute hour day "
                                  "month weekday, e.g. '0 9 * * 1' for Mondays at 09:00).",
                                  cron=cron), "cron") from None
    return fired.astimezone(UTC).replace(tzinfo=None)


def get_series(session, series_id: int) -> RecurringSeries:
    series = session.get(RecurringSeries, series_id)
    if series is None:
        raise SeriesError(gettext("That recurring series does not exist."))
    return series


def series_of_template(session, campaign_id: int) -> RecurringSeries | None:
    return session.scalars(select(RecurringSeries).where(
        RecurringSeries.template_campaign_id == campaign_id)).first()


def list_series(session) -> list[RecurringSeries]:
    return list(session.scalars(select(RecurringSeries).order_by(RecurringSeries.name)))


def create_series(session, template_campaign_id: int, *, name: str, cron: str,
                  timezone: str, now: datetime, created_by_id: int | None = None,
                  feed_url: str = "", feed_allow_private: bool = False) -> RecurringSeries:
    """Make a draft the template of a new series; the first run is the next time the
    expression fires. The template itself is never sent (``campaigns.lifecycle``)."""
    template = get_campaign(session, template_campaign_id)
    if template.status != CampaignStatus.DRAFT or template.series_id is not None:
        raise SeriesError(gettext("Only a draft (not a run of a series) can be a series' "
                                  "template."))
    if series_of_template(session, template_campaign_id) is not None:
        raise SeriesError(gettext("That draft is already the template of a series."))
    series = RecurringSeries(template_campaign_id=template_campaign_id,
                             created_by_id=created_by_id)
    session.add(series)
    _apply(series, name, cron, timezone, now)
    feeds.set_feed(series, feed_url, feed_allow_private)
    session.flush()
    return series


def update_series(session, series_id: int, *, name: str, cron: str, timezone: str,
                  now: datetime, feed_url: str | None = None,
                  feed_allow_private: bool | None = None) -> RecurringSeries:
    """A new name, expression or zone; the next run follows them (unless paused). The
    feed settings change only when given (``feed_allow_private`` None: kept as it is, for
    callers that may not change it)."""
    series = get_series(session, series_id)
    _apply(series, name, cron, timezone, now)
    if feed_url is not None:
        keep = series.feed_allow_private if feed_allow_private is None else feed_allow_private
        feeds.set_feed(series, feed_url, keep)
    session.flush()
    return series


def _apply(series: RecurringSeries, name: str, cron: str, timezone: str,
           now: datetime) -> None:
    if not name.strip():
        raise SeriesError(gettext("Give the series a name."), "name")
    next_run = next_after(cron, timezone, now)  # validates both
    series.name, series.cron, series.timezone = name.strip(), cron.strip(), timezone.strip()
    series.next_run_at = None if series.paused else next_run


def set_paused(session, series_id: int, paused: bool, now: datetime) -> RecurringSeries:
    """Paused: no runs. Resumed: the next time it fires from now (missed runs are not
    made up)."""
    series = get_series(session, series_id)
    series.paused = paused
    series.next_run_at = None if paused else next_after(series.cron, series.timezone, now)
    session.flush()
    return series


def due_series(session, now: datetime) -> list[int]:
    return list(session.scalars(select(RecurringSeries.id).where(
        RecurringSeries.paused.is_(False), RecurringSeries.next_run_at <= now)))


def run_due(session, series_id: int, now: datetime) -> int | None:
    """One run of a due series: claims the due time (one worker wins; the next run is
    the next firing after now, so a long outage makes one catch-up run, not many), then
    copies the template into a campaign scheduled for now and returns its id; or logs a
    skip (no content, no recipients) and returns None. The caller commits, then starts the
    campaign as a scheduled one."""
    series = session.get(RecurringSeries, series_id)
    if series is None or series.paused or series.next_run_at is None \
            or series.next_run_at > now:
        return None
    due = series.next_run_at
    claimed = session.execute(
        update(RecurringSeries)
        .where(RecurringSeries.id == series_id, RecurringSeries.next_run_at == due,
               RecurringSeries.paused.is_(False))
        .values(next_run_at=next_after(series.cron, series.timezone, now), last_run_at=now)
        .execution_options(synchronize_session=False)).rowcount
    session.expire(series)
    if claimed != 1:
        return None
    template = series.template
    if not _has_content(template):
        return _skip(session, series_id, due, stored(N_(
            "The template has no content (subject and body, or SMS text).")))
    fetched = items = None
    if series.feed_url:
        try:
            fetched = feeds.fetch(series)
        except feeds.FeedError as exc:
            return _skip(session, series_id, due, str(exc))
        items = feeds.new_items(series, fetched)
        if not items:
            feeds.remember(series, fetched, [])
            return _skip(session, series_id, due, stored(N_("Nothing new in the feed.")))
    return _make_run(session, series, due, fetched, items)


def _make_run(session, series: RecurringSeries, due: datetime, fetched, items) -> int | None:
    """The copy (with the feed's items when given), unless it would reach nobody."""
    run = copy_template(session, series.template, series, due)
    if items:
        try:
            feeds.fill(run, items)
        except DomainError as exc:
            session.delete(run)
            session.flush()
            return _skip(session, series.id, due, stored(
                N_("The feed's items do not fit: %(problem)s"), problem=exc))
    if recipients.count_recipients(session, run.id) == 0:
        session.delete(run)
        session.flush()
        return _skip(session, series.id, due, stored(N_(
            "No recipients: the lists (and segment) have nobody to send to.")))
    if fetched is not None:
        feeds.remember(series, fetched, items)
    session.add(RecurringRun(series_id=series.id, due_at=due, campaign_id=run.id,
                             outcome=RunOutcome.STARTED))
    session.flush()
    return run.id


def _has_content(template: Campaign) -> bool:
    if template.channel == Channel.SMS:
        return bool(template.sms_text.strip())
    return bool(template.subject.strip() and template.body_text.strip())


def _skip(session, series_id: int, due: datetime, reason: str) -> None:
    session.add(RecurringRun(series_id=series_id, due_at=due, outcome=RunOutcome.SKIPPED,
                             reason=reason))
    session.flush()
    return None


def copy_template(session, template: Campaign, series: RecurringSeries,
                  due: datetime) -> Campaign:
    """A normal campaign with the template's content, audience and settings, scheduled
    for the due time, named after the series and the local date of the run."""
    columns = {c.key: copy.deepcopy(getattr(template, c.key))
               for c in Campaign.__mapper__.column_attrs if c.key not in NOT_COPIED}
    local = due.replace(tzinfo=UTC).astimezone(zone(series.timezone))
    run = Campaign(**columns, name=f"{series.name} {local:%Y-%m-%d %H:%M}"[:200],
                   status=CampaignStatus.SCHEDULED, send_at=due, series_id=series.id)
    run.lists = list(template.lists)
    run.attachments = [CampaignAttachment(filename=a.filename, content_type=a.content_type,
                                          size=a.size, data=a.data)
                       for a in template.attachments]
    session.add(run)
    session.flush()
    return run


def recent_runs(session, series_id: int, limit: int = 50) -> list[RecurringRun]:
    return list(session.scalars(select(RecurringRun).where(
        RecurringRun.series_id == series_id).order_by(RecurringRun.id.desc()).limit(limit)))
