"""Compliance views of a campaign: the consent report (who has no recorded basis and is
left out, and recording one for chosen contacts) and the spam score."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from newsletter.compliance import consent, spamscore
from newsletter.errors import DomainError
from newsletter.extensions import db

from . import bp, perform
from .forms import LEGAL_BASES, EmptyForm, choices, strip


class BasisForm(FlaskForm):
    contact = SelectMultipleField("Contacts", coerce=int, validate_choice=False,
                                  validators=[DataRequired("Choose at least one contact.")])
    legal_basis = SelectField("Basis", choices=choices(LEGAL_BASES))
    source = StringField("Where it comes from", filters=[strip], validators=[
        DataRequired("Say where the consent or interest comes from."), Length(max=150)])


@bp.route("/campaigns/<int:campaign_id>/consent", methods=["GET", "POST"])
def consent_report(campaign_id: int):
    form = BasisForm()
    if form.validate_on_submit():
        ok, count = perform(lambda: consent.record_basis(
            db.session, campaign_id, form.contact.data, form.legal_basis.data,
            form.source.data, current_user.email))
        if ok:
            flash(f"A basis was recorded for {count} contacts.", "success")
            return redirect(url_for("admin.consent_report", campaign_id=campaign_id))
    try:
        missing = consent.missing_basis(db.session, campaign_id,
                                        request.args.get("page", 1, type=int))
    except DomainError:
        abort(404)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/consent_report.html", campaign_id=campaign_id,
                           missing=missing, form=form), status


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
