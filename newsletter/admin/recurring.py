"""Admin: recurring series. A series is a draft (its template, edited in the composer)
sent on a cron schedule in a time zone; its page shows the next run and the log of runs
(each a normal campaign, or why it was skipped), and pauses or resumes it."""

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from newsletter.automation import feeds, recurring
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import Campaign, CampaignStatus, RecurringSeries, RunOutcome, utcnow

from . import bp, perform
from .forms import EmptyForm, choices, strip


class SeriesForm(FlaskForm):
    name = StringField(lazy_gettext("Series name"), filters=[strip],
                       validators=[DataRequired(), Length(max=200)])
    template = SelectField(lazy_gettext("Template (a draft)"), coerce=int)
    cron = StringField(lazy_gettext("Schedule (cron)"), default="0 9 * * 1", filters=[strip],
                       validators=[DataRequired(), Length(max=100)],
                       description=lazy_gettext(
                           "minute hour day-of-month month weekday; '0 9 * * 1' is Mondays "
                           "at 09:00, '30 7 1 * *' the 1st at 07:30"))
    timezone = StringField(lazy_gettext("Time zone"), default="Europe/Bratislava",
                           filters=[strip], validators=[DataRequired(), Length(max=64)])
    feed_url = StringField(lazy_gettext("Feed (RSS or Atom)"), filters=[strip],
                           validators=[Optional(), Length(max=1000)],
                           description=lazy_gettext(
                               "Optional: each run carries the feed's items new since the "
                               "last run; nothing new means no run."))
    feed_allow_private = BooleanField(
        lazy_gettext("The feed is on an internal (private) address"))


#: what a run's outcome reads as (the stored codes stay English)
OUTCOMES = {RunOutcome.STARTED: lazy_gettext("started"),
            RunOutcome.SKIPPED: lazy_gettext("skipped")}


@bp.app_template_global()
def run_outcome_label(outcome: str) -> str:
    return str(OUTCOMES.get(outcome, outcome))


def _template_choices(series: RecurringSeries | None):
    taken = select(RecurringSeries.template_campaign_id)
    drafts = db.session.scalars(select(Campaign).where(
        Campaign.status == CampaignStatus.DRAFT, Campaign.series_id.is_(None),
        Campaign.id.not_in(taken)).order_by(Campaign.name))
    pairs = [(c.id, c.name) for c in drafts]
    if series is not None:
        pairs.insert(0, (series.template.id, series.template.name))
    return choices(pairs)


def local_time(when, timezone: str) -> str:
    if when is None:
        return "—"
    return when.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).strftime(
        "%Y-%m-%d %H:%M %Z")


@bp.app_template_global()
def campaign_series(campaign: Campaign) -> dict:
    """For the campaign page: the series it is the template of, or a run of."""
    return {"template": recurring.series_of_template(db.session, campaign.id),
            "run_of": db.session.get(RecurringSeries, campaign.series_id)
            if campaign.series_id else None}


@bp.get("/recurring")
def recurring_index():
    return render_template("admin/recurring.html",
                           series=recurring.list_series(db.session), local_time=local_time)


@bp.route("/recurring/new", methods=["GET", "POST"], defaults={"series_id": None})
@bp.route("/recurring/<int:series_id>", methods=["GET", "POST"])
def recurring_edit(series_id: int | None):
    series = db.session.get(RecurringSeries, series_id) if series_id else None
    if series_id and series is None:
        abort(404)
    form = SeriesForm(obj=series)
    form.template.choices = _template_choices(series)
    if not form.is_submitted():
        form.template.data = series.template_campaign_id if series else \
            request.args.get("campaign", type=int)
    # only an owner may let a feed be fetched from a private address
    allow_private = form.feed_allow_private.data if current_user.role == "owner" else None
    if form.validate_on_submit():
        if series is None:
            ok, saved = perform(lambda: recurring.create_series(
                db.session, form.template.data, name=form.name.data, cron=form.cron.data,
                timezone=form.timezone.data, now=utcnow(), created_by_id=current_user.id,
                feed_url=form.feed_url.data or "", feed_allow_private=bool(allow_private)))
        else:
            ok, saved = perform(lambda: recurring.update_series(
                db.session, series_id, name=form.name.data, cron=form.cron.data,
                timezone=form.timezone.data, now=utcnow(), feed_url=form.feed_url.data or "",
                feed_allow_private=allow_private))
        if ok:
            flash(gettext("Series “%(name)s” saved; next run %(time)s.", name=saved.name,
                          time=local_time(saved.next_run_at, saved.timezone)), "success")
            return redirect(url_for("admin.recurring_edit", series_id=saved.id))
    runs = recurring.recent_runs(db.session, series_id) if series else []
    return render_template("admin/recurring_form.html", form=form, series=series, runs=runs,
                           local_time=local_time, control=EmptyForm()), \
        422 if form.errors else 200


@bp.get("/recurring/<int:series_id>/preview")
def recurring_preview(series_id: int):
    """The next issue of a feed-driven series as it would go now: the feed is read (no
    validators sent, nothing remembered) and the new items laid into the template."""
    series = db.session.get(RecurringSeries, series_id) or abort(404)
    shown = error = None
    if series.feed_url:
        try:
            shown = feeds.preview(series)
        except DomainError as exc:
            error = str(exc)
    return render_template("admin/recurring_preview.html", series=series, preview=shown,
                           error=error)


@bp.post("/recurring/<int:series_id>/<any(pause, resume):action>")
def recurring_control(series_id: int, action: str):
    ok, saved = perform(lambda: recurring.set_paused(db.session, series_id,
                                                      action == "pause", utcnow()))
    if ok:
        flash(gettext("Series paused: no runs until it is resumed.") if saved.paused else
              gettext("Series resumed; next run %(time)s.",
                      time=local_time(saved.next_run_at, saved.timezone)), "success")
    return redirect(url_for("admin.recurring_edit", series_id=series_id))
