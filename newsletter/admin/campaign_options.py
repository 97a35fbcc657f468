"""A campaign's sending options: the A/B test of its subject (set, remove, pick the winner
now) and local-time delivery. Thin views: form -> one service call -> commit."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from newsletter import jobs
from newsletter.campaigns import abtest, localtime
from newsletter.campaigns.drafts import CampaignError
from newsletter.extensions import db
from newsletter.models import Campaign

from . import bp, perform
from .forms import EmptyForm
from .option_forms import AbTestForm, LocalTimeForm


def _campaign(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def _page(campaign: Campaign, form: AbTestForm, status: int = 200):
    return render_template("admin/ab_test_form.html", campaign=campaign, form=form,
                           test=abtest.get_test(db.session, campaign.id),
                           remove_form=EmptyForm()), status


def _field_error(form, exc: CampaignError, default: str) -> None:
    field = getattr(form, exc.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, str(exc)]


@bp.get("/campaigns/<int:campaign_id>/ab-test")
def ab_test(campaign_id: int):
    campaign = _campaign(campaign_id)
    test = abtest.get_test(db.session, campaign_id)
    subjects = list(test.subjects) if test else [campaign.subject]
    values = {f"subject_{n}": s for n, s in enumerate(subjects, start=1)}
    if test:
        values.update(sample_percent=test.sample_percent, wait_minutes=test.wait_minutes,
                      metric=test.metric)
    return _page(campaign, AbTestForm(formdata=None, data=values))


@bp.post("/campaigns/<int:campaign_id>/ab-test")
def save_ab_test(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = AbTestForm()
    if not form.validate_on_submit():
        return _page(campaign, form, 422)
    try:
        abtest.configure(db.session, campaign_id, subjects=form.subjects(),
                         sample_percent=form.sample_percent.data,
                         wait_minutes=form.wait_minutes.data, metric=form.metric.data)
    except CampaignError as exc:
        db.session.rollback()
        _field_error(form, exc, "subject_1")
        return _page(campaign, form, 422)
    db.session.commit()
    flash(ngettext("A/B test saved: %(percent)s %% of the recipients get one of %(num)d "
                   "subject; the winner goes to the rest.",
                   "A/B test saved: %(percent)s %% of the recipients get one of %(num)d "
                   "subjects; the winner goes to the rest.", len(form.subjects()),
                   percent=form.sample_percent.data), "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/ab-test/remove")
def remove_ab_test(campaign_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    ok, _ = perform(lambda: abtest.remove(db.session, campaign_id))
    if ok:
        flash(gettext("A/B test removed: everybody gets the campaign's subject."), "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/ab-test/winner")
def pick_ab_winner(campaign_id: int):
    """Pick the winner now (before the wait is over) and send it to the rest."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    ok, winner = perform(lambda: abtest.decide(db.session, campaign_id, current_user.email))
    if ok:
        jobs.enqueue_send(campaign_id)
        flash(gettext("Variant %(n)s wins; the rest of the recipients get it now.", n=winner),
              "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))


def _local_page(campaign: Campaign, form: LocalTimeForm, status: int = 200):
    return render_template("admin/local_time_form.html", campaign=campaign, form=form), status


@bp.get("/campaigns/<int:campaign_id>/local-time")
def local_delivery(campaign_id: int):
    campaign = _campaign(campaign_id)
    return _local_page(campaign, LocalTimeForm(
        formdata=None, data={"local_send_time": campaign.local_send_time}))


@bp.post("/campaigns/<int:campaign_id>/local-time")
def save_local_delivery(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = LocalTimeForm()
    if not form.validate_on_submit():
        return _local_page(campaign, form, 422)
    try:
        localtime.configure(db.session, campaign_id, form.local_send_time.data or "")
    except CampaignError as exc:
        db.session.rollback()
        _field_error(form, exc, "local_send_time")
        return _local_page(campaign, form, 422)
    db.session.commit()
    flash(gettext("Each recipient gets it at %(time)s in their time zone.",
                  time=campaign.local_send_time)
          if campaign.local_send_time else gettext("Local-time delivery is off: it goes at once."),
          "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))
