"""Campaign statistics pages: one campaign, its CSV export, and recent campaigns side by
side."""

from flask import Response, abort, render_template
from markupsafe import Markup

from newsletter.extensions import db
from newsletter.models import Campaign
from newsletter.tracking import statistics

from . import bp


@bp.get("/campaigns/<int:campaign_id>/stats")
def campaign_stats(campaign_id: int):
    db.session.get(Campaign, campaign_id) or abort(404)
    stats = statistics.campaign_stats(db.session, campaign_id)
    # bandit B704 reviewed: the SVG is built by timeline_svg from numbers and escaped labels only
    chart = Markup(statistics.timeline_svg(  # nosec B704
        statistics.click_times(db.session, campaign_id)))
    return render_template("admin/stats.html", stats=stats, chart=chart)


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
