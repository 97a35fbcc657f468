"""Campaign statistics pages: one campaign, its CSV export, and recent campaigns side by
side."""

from flask import Response, abort, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from newsletter.extensions import db
from newsletter.models import Campaign
from newsletter.platform import audit
from newsletter.tracking import statistics

from . import bp

CLICKERS_SHOWN = 100


@bp.get("/campaigns/<int:campaign_id>/stats")
def campaign_stats(campaign_id: int):
    db.session.get(Campaign, campaign_id) or abort(404)
    stats = statistics.campaign_stats(db.session, campaign_id)
    # bandit B704 reviewed: the SVG is built by timeline_svg from numbers and escaped labels only
    chart = Markup(statistics.timeline_svg(  # nosec B704
        statistics.click_times(db.session, campaign_id)))
    return render_template("admin/stats.html", stats=stats, chart=chart,
                           clickers=statistics.clickers(db.session, campaign_id,
                                                        limit=CLICKERS_SHOWN),
                           shown=CLICKERS_SHOWN, export_form=FlaskForm())


@bp.post("/campaigns/<int:campaign_id>/stats/clickers.csv")
def campaign_clickers_csv(campaign_id: int):
    """Who clicked, as CSV: personal data, so a POST that leaves an audit entry."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    body = statistics.clickers_csv(db.session, campaign_id)
    audit.record_export(db.session, current_user.email, "clickers", campaign.name,
                        body.count("\n") - 1, f"campaign {campaign_id}")
    db.session.commit()
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="campaign-{campaign_id}-clicks.csv"'})


@bp.get("/campaigns/<int:campaign_id>/stats.csv")
def campaign_stats_csv(campaign_id: int):
    db.session.get(Campaign, campaign_id) or abort(404)
    body = statistics.stats_csv(statistics.campaign_stats(db.session, campaign_id))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="campaign-{campaign_id}-stats.csv"'})


@bp.get("/stats")
def stats_dashboard():
    return render_template("admin/stats_dashboard.html",
                           rows=statistics.recent_stats(db.session))
