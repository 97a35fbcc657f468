"""The dashboard an editor opens every morning: campaigns running and scheduled with their
progress, the last campaigns' rates, list growth per day, bounces and complaints."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from newsletter.audience.suppression import Reason
from newsletter.campaigns import progress
from newsletter.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryState,
    Subscription,
    Suppression,
    utcnow,
)

from .statistics import CampaignStats, recent_stats

ACTIVE = (CampaignStatus.RUNNING, CampaignStatus.PAUSED, CampaignStatus.SCHEDULED,
          CampaignStatus.REVIEW)


@dataclass
class ActiveCampaign:
    campaign: Campaign
    recipients: int
    done: int
    progress: float  # percent


@dataclass
class Rates:
    stats: CampaignStats

    def _of_sent(self, count: int) -> float:
        return 100.0 * count / self.stats.sent if self.stats.sent else 0.0

    @property
    def delivered(self) -> float:
        return self._of_sent(self.stats.delivered)

    @property
    def clicked(self) -> float:
        return self.stats.click_rate

    @property
    def unsubscribed(self) -> float:
        return (100.0 * self.stats.unsubscribed / self.stats.delivered
                if self.stats.delivered else 0.0)

    @property
    def bounced(self) -> float:
        return self._of_sent(self.stats.bounced)


@dataclass
class GrowthDay:
    day: date
    joined: int
    left: int
    subscribers: int  # confirmed e-mail subscriptions at the end of the day


@dataclass
class Overview:
    active: list[ActiveCampaign]
    recent: list[Rates]
    growth: list[GrowthDay]
    bounces: int  # messages bounced in the period
    complaints: int  # addresses suppressed after a spam complaint in the period
    days: int


def active_campaigns(session) -> list[ActiveCampaign]:
    """Running, paused, held and scheduled campaigns; the next to send first."""
    rows = session.scalars(select(Campaign).where(Campaign.status.in_(ACTIVE))
                           .order_by(Campaign.send_at.is_(None), Campaign.send_at,
                                     Campaign.id))
    found = []
    for campaign in rows:
        counts = progress.delivery_counts(session, campaign.id)
        pending = sum(counts[s] for s in DeliveryState.PENDING)
        done = counts["recipients"] - pending
        percent = round(100 * done / counts["recipients"], 1) if counts["recipients"] else 0.0
        found.append(ActiveCampaign(campaign, counts["recipients"], done, percent))
    return found


def list_growth(session, days: int = 30, today: date | None = None) -> list[GrowthDay]:
    """Per day of the last ``days`` (today included): e-mail subscriptions confirmed and
    left, and how many were confirmed at the end of the day (all lists together)."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time())
    email = Subscription.channel == "email"
    base = session.scalar(select(func.count()).select_from(Subscription).where(
        email, Subscription.confirmed_at < start,
        (Subscription.unsubscribed_at.is_(None)) | (Subscription.unsubscribed_at >= start))) or 0
    joined = _per_day(session, Subscription.confirmed_at, start, email)
    left = _per_day(session, Subscription.unsubscribed_at, start, email,
                    Subscription.confirmed_at.is_not(None))
    series, total = [], base
    for offset in range(days):
        day = first + timedelta(days=offset)
        total += joined.get(day, 0) - left.get(day, 0)
        series.append(GrowthDay(day, joined.get(day, 0), left.get(day, 0), total))
    return series


def _per_day(session, column, start: datetime, *where) -> dict[date, int]:
    day = func.date(column)
    rows = session.execute(select(day, func.count()).where(column >= start, *where)
                           .group_by(day))
    return {_as_date(d): n for d, n in rows}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def overview(session, days: int = 30, recent: int = 6) -> Overview:
    since = utcnow() - timedelta(days=days)
    bounces = session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.state == DeliveryState.BOUNCED, Delivery.sent_at >= since)) or 0
    complaints = session.scalar(select(func.count()).select_from(Suppression).where(
        Suppression.reason == Reason.COMPLAINT, Suppression.created_at >= since)) or 0
    return Overview(active=active_campaigns(session),
                    recent=[Rates(s) for s in recent_stats(session, recent)],
                    growth=list_growth(session, days), bounces=bounces,
                    complaints=complaints, days=days)
