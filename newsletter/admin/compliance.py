"""Compliance views of a campaign: the consent report (who has no recorded basis and is
left out, and recording one for chosen contacts) and the spam score."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from newsletter import jobs
from newsletter.compliance import consent, review, spamscore
from newsletter.errors import DomainError
from newsletter.extensions import db

from . import bp, perform
from .forms import LEGAL_BASES, DecisionForm, EmptyForm, choices, error_text, strip


class BasisForm(FlaskForm):
    contact = SelectMultipleField(lazy_gettext("Contacts"), coerce=int, validate_choice=False,
                                  validators=[DataRequired(lazy_gettext(
                                      "Choose at least one contact."))])
    legal_basis = SelectField(lazy_gettext("Basis"), choices=choices(LEGAL_BASES))
    source = StringField(lazy_gettext("Where it comes from"), filters=[strip], validators=[
        DataRequired(lazy_gettext("Say where the consent or interest comes from.")),
        Length(max=150)])


@bp.route("/campaigns/<int:campaign_id>/consent", methods=["GET", "POST"])
def consent_report(campaign_id: int):
    form = BasisForm()
    if form.validate_on_submit():
        ok, count = perform(lambda: consent.record_basis(
            db.session, campaign_id, form.contact.data, form.legal_basis.data,
            form.source.data, current_user.email))
        if ok:
            flash(ngettext("A basis was recorded for %(num)d contact.",
                           "A basis was recorded for %(num)d contacts.", count), "success")
            return redirect(url_for("admin.consent_report", campaign_id=campaign_id))
    try:
        missing = consent.missing_basis(db.session, campaign_id,
                                        request.args.get("page", 1, type=int))
    except DomainError:
        abort(404)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/consent_report.html", campaign_id=campaign_id,
                           missing=missing, form=form), status


@bp.post("/campaigns/<int:campaign_id>/consent.csv")
def consent_report_csv(campaign_id: int):
    """The report as CSV; a POST, because the download goes to the audit log."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    ok, body = perform(lambda: consent.report_csv(db.session, campaign_id, current_user.email))
    if not ok:
        return redirect(url_for("admin.consent_report", campaign_id=campaign_id))
    return Response(body, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="campaign-{campaign_id}-no-basis.csv"'})


@bp.post("/campaigns/<int:campaign_id>/spam-score")
def spam_score(campaign_id: int):
    """SpamAssassin on the campaign's message; the result is shown, nothing is stored."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        report = spamscore.score(db.session, campaign_id)
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    return render_template("admin/spam_score.html", campaign_id=campaign_id, report=report)


@bp.post("/campaigns/<int:campaign_id>/review/<any(approve, reject):decision>")
def review_decision(campaign_id: int, decision: str):
    """A reviewer or owner approves (with a reason) or rejects (with a message)."""
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(error_text(form), "error")
        return redirect(url_for("admin.campaign", campaign_id=campaign_id))
    ok, decided = perform(lambda: review.decide(db.session, campaign_id, current_user,
                                                decision == "approve", form.note.data))
    if ok:
        jobs.enqueue_review_mail(decided.id)
        flash(gettext("Approved: the editor can send it now.") if decision == "approve"
              else gettext("Rejected: the editor was told why."), "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))
