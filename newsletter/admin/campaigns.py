from datetime import timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from newsletter import jobs
from newsletter.campaigns import abtest, followup, lifecycle, localtime, progress, recipients
from newsletter.compliance import checklist, review, spamscore
from newsletter.compliance import start as checked
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import Campaign, CampaignStatus, Channel, utcnow
from newsletter.platform import timezones
from newsletter.platform.sessioncookie import background
from newsletter.texts import shown
from newsletter.tracking import overview

from . import bp, perform
from .forms import DecisionForm, EmptyForm, FollowUpForm, ScheduleForm, error_text


@bp.get("/")
def dashboard():
    """The morning overview (tracking.overview); the campaigns themselves are listed at
    /campaigns."""
    return render_template("admin/dashboard.html", data=overview.overview(db.session))


def _schedule_form(campaign: Campaign) -> ScheduleForm:
    """In the editor's zone; a follow-up draft suggests its days after the first send."""
    zone = current_user.time_zone
    suggested = followup.suggested_send_at(db.session, campaign)
    local = timezones.from_utc(suggested, zone).replace(tzinfo=None) if suggested else None
    return ScheduleForm(send_at=local).for_zone(zone)


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    return render_template(
        "admin/campaign.html", campaign=campaign, form=EmptyForm(),
        schedule_form=_schedule_form(campaign), follow_up_form=FollowUpForm(),
        live=_live_status(campaign_id),
        errors=progress.recent_errors(db.session, campaign_id),
        editable=campaign.status == CampaignStatus.DRAFT,
        checks=checklist.run(db.session, campaign_id)
        if campaign.status == CampaignStatus.DRAFT else None,
        spamassassin=spamscore.command() is not None,
        review=review.latest(db.session, campaign_id), decide_form=DecisionForm(),
        ab={"test": abtest.get_test(db.session, campaign_id),
            "results": abtest.results(db.session, campaign_id),
            "waiting": localtime.waiting(db.session, campaign_id)},
    )


@bp.post("/campaigns/<int:campaign_id>/send")
def send_campaign(campaign_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    confirmed = bool(request.form.get("confirmed"))
    if campaign.channel == Channel.SMS and not confirmed:
        flash(gettext("Confirm the messages, parts and quota first."), "error")
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    perform(lambda: checked.refresh_domain(db.session, campaign_id))
    _, held = perform(lambda: review.hold_if_flagged(db.session, campaign_id,
                                                     current_user.email))
    if held:  # held before anything else is asked
        jobs.enqueue_review_mail(held.id)
        flash(gettext("Held for review: the content matches %(rules)s. A reviewer approves "
                      "or rejects it; you are told by mail.",
                      rules=", ".join(sorted({f["name"] for f in held.findings}))), "info")
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    if not confirmed:
        # every send asks first, saying to how many (and whether it was test-sent)
        return redirect(url_for("admin.confirm_send", campaign_id=campaign_id))
    try:
        started = checked.start(db.session, campaign_id, confirmed, actor=current_user.email)
    except checked.NeedsConfirmation:  # the checklist's warnings (compliance)
        db.session.rollback()
        return redirect(url_for("admin.confirm_send", campaign_id=campaign_id))
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        if not jobs.send_after_commit(campaign_id):
            flash(gettext("The job queue cannot be reached: sending begins as soon as it "
                          "is back."), "warning")
        flash(ngettext("Sending started: %(num)d recipient.",
                       "Sending started: %(num)d recipients.", started.created), "success")
        for notice in started.notices:
            flash(notice, "info")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))


def _resume(session, campaign_id: int) -> str:
    lifecycle.set_paused(session, campaign_id, False)
    return gettext("Sending resumed.")


def _pause(session, campaign_id: int) -> str:
    lifecycle.set_paused(session, campaign_id, True)
    return gettext("Paused: sending stops after the message in flight.")


def _cancel(session, campaign_id: int) -> str:
    count = lifecycle.cancel_campaign(session, campaign_id)
    return ngettext("Cancelled: %(num)d message will not be sent.",
                    "Cancelled: %(num)d messages will not be sent.", count)


def _unschedule(session, campaign_id: int) -> str:
    lifecycle.unschedule_campaign(session, campaign_id)
    return gettext("Unscheduled: the campaign is back to a draft; edit, send or schedule it "
                   "again.")


def _resend(session, campaign_id: int) -> str:
    count = lifecycle.resend_failed(session, campaign_id)
    return ngettext("%(num)d failed or deferred message queued again.",
                    "%(num)d failed or deferred messages queued again.", count)


#: action -> (operation, whether sending jobs must start afterwards)
CONTROLS = {"pause": (_pause, False), "resume": (_resume, True), "cancel": (_cancel, False),
            "resend": (_resend, True), "unschedule": (_unschedule, False)}


@bp.post("/campaigns/<int:campaign_id>/<any(pause, resume, cancel, resend, unschedule):action>")
def control_campaign(campaign_id: int, action: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if action == "cancel" and not request.form.get("confirmed"):
        return redirect(url_for("admin.confirm_cancel", campaign_id=campaign_id))
    operation, start_jobs = CONTROLS[action]
    ok, message = perform(lambda: operation(db.session, campaign_id))
    if ok:
        if start_jobs and not jobs.send_after_commit(campaign_id):
            flash(gettext("The job queue cannot be reached: sending begins as soon as it "
                          "is back."), "warning")
        flash(message, "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))


@bp.get("/campaigns/<int:campaign_id>/cancel")
def confirm_cancel(campaign_id: int):
    """Cancelling is for good, so it asks first (a scheduled campaign is offered
    unscheduling instead)."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.PAUSED,
                               CampaignStatus.SCHEDULED):
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    live = progress.live_status(db.session, campaign_id)
    return render_template("admin/confirm_cancel.html", campaign=campaign, form=EmptyForm(),
                           unsent=live["queued"] + live["sending"] + live["deferred"])


@bp.post("/campaigns/<int:campaign_id>/follow-up")
def follow_up(campaign_id: int):
    """A draft resending this campaign, with a new subject, to who did not click (open)."""
    form = FollowUpForm()
    if not form.validate_on_submit():
        flash(error_text(form), "error")
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    ok, draft = perform(lambda: followup.create_follow_up(
        db.session, campaign_id, subject=form.subject.data, days=form.days.data,
        audience=form.audience.data, created_by_id=current_user.id))
    if not ok:
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    flash(gettext("Follow-up draft created. Check it, send a test, then schedule it: the "
                  "time below is its days after the first campaign started."), "success")
    return redirect(url_for("admin.campaign", campaign_id=draft.id))


@bp.post("/campaigns/<int:campaign_id>/schedule")
def schedule_campaign(campaign_id: int):
    form = ScheduleForm()
    if not form.validate_on_submit():
        flash(error_text(form), "error")
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    checks = checklist.run(db.session, campaign_id)  # run again at the time, in the worker
    if checks.blocking or (checks.warnings and not form.confirm_warnings.data):
        flash(" ".join(i.text for i in checks.blocking) if checks.blocking else
              gettext("Tick “Send despite the warnings above” to schedule it."), "error")
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    form.for_zone(current_user.time_zone)
    send_at = (timezones.to_utc(form.send_at.data, current_user.time_zone)
               if form.send_at.data else utcnow() + timedelta(minutes=form.delay_minutes.data))
    if not request.form.get("confirmed"):
        campaign = db.session.get(Campaign, campaign_id) or abort(404)
        return render_template(
            "admin/confirm_schedule.html", campaign=campaign, schedule_form=form,
            send_at=send_at, count=recipients.count_recipients(db.session, campaign_id))
    ok, _ = perform(lambda: lifecycle.schedule_campaign(db.session, campaign_id, send_at))
    if ok:
        jobs.enqueue_start_at(campaign_id, send_at)
        flash(gettext("Scheduled for %(time)s.",
                      time=timezones.label(send_at, current_user.time_zone)), "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))


@bp.get("/campaigns/<int:campaign_id>/status.json")
@background
def campaign_status(campaign_id: int):
    """The status tab's live numbers (polled while the campaign runs)."""
    try:
        return jsonify(_live_status(campaign_id))
    except DomainError:
        abort(404)


def _live_status(campaign_id: int) -> dict:
    """progress.live_status, the mail server's stored reason in the reader's language."""
    live = progress.live_status(db.session, campaign_id)
    if live.get("mail_server"):
        live["mail_server"] = {**live["mail_server"],
                               "reason": shown(live["mail_server"]["reason"])}
    return live
