from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import campaigns, jobs
from ..errors import DomainError
from ..extensions import db
from ..models import Campaign, CampaignStatus
from . import bp
from .forms import EmptyForm


@bp.get("/")
def dashboard():
    rows = db.session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(50))
    return render_template("admin/dashboard.html", campaigns=list(rows))


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    return render_template(
        "admin/campaign.html", campaign=campaign, form=EmptyForm(),
        counts=campaigns.delivery_counts(db.session, campaign_id),
        errors=campaigns.recent_errors(db.session, campaign_id),
        editable=campaign.status == CampaignStatus.DRAFT,
    )


@bp.post("/campaigns/<int:campaign_id>/send")
def send_campaign(campaign_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if not campaign.tested_at and not request.form.get("confirmed"):
        # a first send without a test send asks for confirmation (composer)
        return redirect(url_for("admin.confirm_send", campaign_id=campaign_id))
    try:
        created = campaigns.start_campaign(db.session, campaign_id)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        jobs.enqueue_send(campaign_id)
        flash(f"Sending started: {created} recipients.", "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))
