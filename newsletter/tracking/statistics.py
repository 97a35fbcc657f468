"""Campaign statistics: recipients, sent, delivered, bounced, unsubscribed, clicks (unique
and per link), a click timeline (as SVG) and a CSV export."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

from flask_babel import gettext, ngettext
from sqlalchemy import distinct, func, select

from newsletter.campaigns import drafts, progress
from newsletter.models import (
    Campaign,
    Click,
    Contact,
    Delivery,
    DeliveryState,
    Link,
    Subscription,
    SubscriptionStatus,
    campaign_list,
)
from newsletter.platform.csvcells import safe_cell


@dataclass
class LinkStats:
    url: str
    clicks: int
    unique: int


@dataclass
class CampaignStats:
    campaign: Campaign
    recipients: int
    sent: int
    delivered: int
    bounced: int
    failed: int
    blocked: int
    unsubscribed: int
    opened: int
    clicks: int
    unique_clicks: int
    links: list[LinkStats] = field(default_factory=list)

    @property
    def click_rate(self) -> float:
        return 100.0 * self.unique_clicks / self.delivered if self.delivered else 0.0


def campaign_stats(session, campaign_id: int) -> CampaignStats:
    campaign = drafts.get_campaign(session, campaign_id)
    counts = progress.delivery_counts(session, campaign_id)
    # a bounce arrives after the message was sent: bounced deliveries were sent too
    sent = counts[DeliveryState.SENT] + counts[DeliveryState.BOUNCED] + \
        counts[DeliveryState.DELIVERED]  # an SMS whose receipt says the phone has it
    links = link_stats(session, campaign_id)
    unique = session.scalar(
        select(func.count(distinct(Click.delivery_id)))
        .join(Link, Link.id == Click.link_id).where(Link.campaign_id == campaign_id)) or 0
    opened = session.scalar(select(func.count()).where(
        Delivery.campaign_id == campaign_id, Delivery.opened_at.is_not(None)))
    return CampaignStats(
        campaign=campaign, recipients=counts["recipients"], sent=sent,
        delivered=sent - counts[DeliveryState.BOUNCED], bounced=counts[DeliveryState.BOUNCED],
        failed=counts[DeliveryState.FAILED], blocked=counts[DeliveryState.BLOCKED],
        unsubscribed=unsubscribed(session, campaign), opened=opened,
        clicks=sum(x.clicks for x in links), unique_clicks=unique, links=links)


def link_stats(session, campaign_id: int) -> list[LinkStats]:
    rows = session.execute(
        select(Link.url, func.count(Click.id), func.count(distinct(Click.delivery_id)))
        .outerjoin(Click, Click.link_id == Link.id)
        .where(Link.campaign_id == campaign_id)
        .group_by(Link.id, Link.url)
        .order_by(func.count(Click.id).desc(), Link.id))
    return [LinkStats(url, clicks, unique) for url, clicks, unique in rows]


def unsubscribed(session, campaign: Campaign) -> int:
    """Recipients who left one of the campaign's lists after it started."""
    if campaign.started_at is None:
        return 0
    return session.scalar(
        select(func.count(distinct(Delivery.contact_id)))
        .join(Subscription, Subscription.contact_id == Delivery.contact_id)
        .join(campaign_list, (campaign_list.c.list_id == Subscription.list_id)
              & (campaign_list.c.campaign_id == campaign.id))
        .where(Delivery.campaign_id == campaign.id,
               Subscription.status == SubscriptionStatus.UNSUBSCRIBED,
               Subscription.unsubscribed_at >= campaign.started_at)) or 0


def click_times(session, campaign_id: int) -> list[datetime]:
    return list(session.scalars(
        select(Click.clicked_at).join(Link, Link.id == Click.link_id)
        .where(Link.campaign_id == campaign_id).order_by(Click.clicked_at)))


def timeline(times: list[datetime], buckets: int = 24) -> tuple[timedelta, list[tuple]]:
    """Clicks counted in up to ``buckets`` equal steps from the first click: (step,
    [(start, count), ...]). Steps are whole minutes, hours or days."""
    if not times:
        return timedelta(hours=1), []
    span = times[-1] - times[0]
    step = next((s for s in (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1),
                             timedelta(hours=6), timedelta(days=1))
                 if span < s * buckets), timedelta(days=7))
    start = times[0].replace(second=0, microsecond=0)
    if step >= timedelta(hours=1):
        start = start.replace(minute=0)
    counts: dict[int, int] = {}
    for t in times:
        index = int((t - start) / step)
        counts[index] = counts.get(index, 0) + 1
    last = max(counts)
    return step, [(start + i * step, counts.get(i, 0)) for i in range(last + 1)]


def timeline_svg(times: list[datetime], width: int = 640, height: int = 200) -> str:
    """A bar chart of clicks over time, as inline SVG (no chart library, no CDN)."""
    step, points = timeline(times)
    if not points:
        label, text = gettext("Clicks over time: no clicks yet."), gettext("No clicks yet.")
        return ('<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
                f'viewBox="0 0 {width} 40" aria-label="{escape(label)}">'
                f'<text x="0" y="24">{escape(text)}</text></svg>')
    top = max(c for _, c in points)
    pad, chart_h = 30, height - 50
    bar_w = (width - pad) / max(len(points), 12)  # a lone bar stays a bar, not a wall
    fmt = "%H:%M" if step < timedelta(days=1) else "%m-%d"
    # the text alternative: the total and every bar's time and count, as a sentence
    told = "; ".join(f"{when.strftime('%Y-%m-%d %H:%M')}: {count}"
                     for when, count in points if count)
    summary = escape(ngettext("Clicks over time, %(num)d in all, per %(span)s: %(bars)s.",
                              "Clicks over time, %(num)d in all, per %(span)s: %(bars)s.",
                              len(times), span=_span(step), bars=told))
    title = escape(ngettext("Clicks over time, %(num)d in all",
                            "Clicks over time, %(num)d in all", len(times)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
             f'viewBox="0 0 {width} {height}" class="timeline" aria-label="{summary}">'
             f'<title>{title}</title>',
             f'<text x="0" y="12" font-size="11">{top}</text>',
             f'<line x1="{pad}" y1="{chart_h + 10}" x2="{width}" y2="{chart_h + 10}" '
             'stroke="#9ca3af"/>']
    for i, (when, count) in enumerate(points):
        h = chart_h * count / top
        x = pad + i * bar_w
        parts.append(f'<rect x="{x + 1:.1f}" y="{chart_h + 10 - h:.1f}" '
                     f'width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" fill="#1a5fb4">'
                     f'<title>{escape(when.strftime("%Y-%m-%d %H:%M"))}: {count}</title></rect>')
        if i % max(1, len(points) // 6) == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="11">'
                         f'{when.strftime(fmt)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _span(step: timedelta) -> str:
    """A bar's width in words: "hour", "3 hours" (in the reader's language)."""
    minutes = int(step.total_seconds() // 60)
    if minutes % 1440 == 0:
        days = minutes // 1440
        return gettext("day") if days == 1 else ngettext("%(num)d day", "%(num)d days", days)
    if minutes % 60 == 0:
        hours = minutes // 60
        return gettext("hour") if hours == 1 else ngettext("%(num)d hour", "%(num)d hours",
                                                           hours)
    return gettext("minute") if minutes == 1 else ngettext("%(num)d minute",
                                                           "%(num)d minutes", minutes)


def stats_csv(stats: CampaignStats) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", "value"])
    for name in ("recipients", "sent", "delivered", "bounced", "failed", "blocked",
                 "unsubscribed", "opened", "clicks", "unique_clicks"):
        writer.writerow([name, getattr(stats, name)])
    writer.writerow([])
    writer.writerow(["link", "clicks", "unique_clicks"])
    for link in stats.links:
        writer.writerow([link.url, link.clicks, link.unique])
    return out.getvalue()


@dataclass
class Clicker:
    address: str
    name: str
    first_click: datetime
    last_click: datetime
    clicks: int


def clickers(session, campaign_id: int, limit: int | None = None) -> list[Clicker]:
    """Who clicked in the campaign's messages (an erased contact shows as erased-<id>),
    the first to click first; ``limit``: only that many."""
    query = (select(Delivery.address, func.min(Contact.first_name),
                    func.min(Contact.last_name), func.min(Click.clicked_at),
                    func.max(Click.clicked_at), func.count(Click.id))
             .join(Link, Link.id == Click.link_id)
             .join(Delivery, Delivery.id == Click.delivery_id)
             .outerjoin(Contact, Contact.id == Delivery.contact_id)
             .where(Link.campaign_id == campaign_id)
             .group_by(Delivery.id, Delivery.address)
             .order_by(func.min(Click.clicked_at), Delivery.id))
    if limit is not None:
        query = query.limit(limit)
    return [Clicker(address, " ".join(p for p in (first, last) if p), first_at, last_at, n)
            for address, first, last, first_at, last_at, n in session.execute(query)]


def clickers_csv(session, campaign_id: int) -> str:
    """``clickers`` as CSV (cells safe against formula injection)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["address", "name", "first_click_utc", "last_click_utc", "clicks"])
    for c in clickers(session, campaign_id):
        writer.writerow([safe_cell(c.address), safe_cell(c.name),
                         c.first_click.isoformat(timespec="seconds"),
                         c.last_click.isoformat(timespec="seconds"), c.clicks])
    return out.getvalue()


def recent_stats(session, limit: int = 6) -> list[CampaignStats]:
    """The last started campaigns, newest first, for the dashboard."""
    ids = session.scalars(select(Campaign.id).where(Campaign.started_at.is_not(None))
                          .order_by(Campaign.started_at.desc()).limit(limit))
    return [campaign_stats(session, cid) for cid in ids]
