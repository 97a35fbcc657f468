"""How far a campaign has got: deliveries per state, recent errors, and the live counters
of the status tab."""

import logging
from datetime import datetime, timedelta

import redis
from flask import current_app
from sqlalchemy import func, select

from newsletter import queue
from newsletter.channels import servers
from newsletter.channels.circuit import Circuit
from newsletter.channels.smtp import mail_server_circuit
from newsletter.models import (
    CampaignStatus,
    Delivery,
    DeliveryState,
    utcnow,
)
from newsletter.platform import health

from .drafts import get_campaign

log = logging.getLogger(__name__)


def delivery_counts(session, campaign_id: int) -> dict[str, int]:
    """Deliveries per state, plus ``recipients`` (all of them)."""
    rows = session.execute(
        select(Delivery.state, func.count())
        .where(Delivery.campaign_id == campaign_id)
        .group_by(Delivery.state)
    )
    counts = {state: 0 for state in (
        DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.SENT,
        DeliveryState.DELIVERED, DeliveryState.DEFERRED,
        DeliveryState.FAILED, DeliveryState.BOUNCED, DeliveryState.BLOCKED,
        DeliveryState.SKIPPED, DeliveryState.CANCELLED)}
    counts.update(dict(rows.all()))
    counts["recipients"] = sum(counts.values())
    return counts


def recent_errors(session, campaign_id: int, limit: int = 20) -> list[Delivery]:
    return list(session.scalars(
        select(Delivery)
        .where(Delivery.campaign_id == campaign_id, Delivery.error.is_not(None))
        .order_by(Delivery.id.desc())
        .limit(limit)
    ))


def live_status(session, campaign_id: int) -> dict:
    """Counters for the status tab, with progress and the rate over the last minute."""
    campaign = get_campaign(session, campaign_id)
    counts = delivery_counts(session, campaign_id)
    done = counts["recipients"] - counts["queued"] - counts["sending"] - counts["deferred"]
    since = utcnow() - timedelta(seconds=60)
    last_minute = session.scalar(select(func.count()).where(
        Delivery.campaign_id == campaign_id,
        Delivery.state.in_((DeliveryState.SENT, DeliveryState.DELIVERED)),
        Delivery.sent_at >= since))
    unsubscribed = session.scalar(select(func.count()).where(
        Delivery.campaign_id == campaign_id, Delivery.unsubscribed_at.is_not(None)))
    waiting = campaign.status in (CampaignStatus.RUNNING, CampaignStatus.SCHEDULED)
    return {
        "status": campaign.status, **counts,
        "progress": round(100 * done / counts["recipients"], 1) if counts["recipients"] else 0,
        "rate_per_minute": last_minute, "unsubscribed": unsubscribed,
        "last_sent_at": _iso(campaign.last_sent_at),
        "mail_server": mail_server_outage(session, campaign.sender_id) if waiting else None,
        "workers": sending_workers() if waiting else None,
    }


def _iso(moment: datetime | None) -> str | None:
    """UTC for the browser (the models keep naive UTC)."""
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def mail_server_outage(session=None, sender_id: int | None = None) -> dict | None:
    """Why and since when sending waits for the mail server (its circuit is open: it could
    not be reached), or None while it answers. A sender with a pool of servers waits only
    while every one of them is out (the earliest outage is shown)."""
    keys = servers.pool_keys(session, sender_id) if session is not None else []
    try:
        conn = queue.get_redis()
        if keys:
            outages = [Circuit(conn, key).outage() for key in keys]
            outage = None if None in outages else min(outages, key=lambda o: o.since)
        else:
            outage = mail_server_circuit(current_app.config, conn).outage()
    except redis.RedisError as exc:  # the page still shows the database's numbers
        log.warning("mail server state unknown: %s", exc)
        return None
    if outage is None:
        return None
    return {"since": _iso(outage.since), "reason": outage.reason, "failures": outage.failures,
            "next_probe_at": _iso(outage.next_probe_at)}



def sending_workers() -> dict | None:
    """How many workers serving the sending queue are alive (their heartbeats), and when
    one was last seen; None when Redis cannot say."""
    try:
        alive, last_seen = health.workers(queue.get_redis(), queue.SENDING)
    except redis.RedisError as exc:
        log.warning("workers unknown: %s", exc)
        return None
    return {"alive": alive, "last_seen": _iso(last_seen)}
