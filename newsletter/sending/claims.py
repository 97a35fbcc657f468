"""Claims: how sending jobs take deliveries (atomically, so two workers or a double
enqueue never send one twice), check them at claim time and while they wait in a batch
(suppression, block list, unsubscribes), and hand back the ones they did not send."""

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update

from newsletter.audience import suppression
from newsletter.blocklist import matching
from newsletter.models import (
    Campaign,
    CampaignStatus,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryState,
    Subscription,
    SubscriptionStatus,
    Suppression,
    utcnow,
)
from newsletter.platform import clock, rowclaim


def _due():
    """A queued delivery may go now: its local time has come (campaigns.localtime: read on
    the clock tests can move), and it is not in an A/B test's rest still waiting for the
    winner (campaigns.abtest)."""
    return and_(or_(Delivery.not_before.is_(None), Delivery.not_before <= clock.now()),
                or_(Delivery.ab_rest.is_(False), Delivery.variant.is_not(None)))


def _sendable_kinds(now: datetime) -> tuple:
    """The three kinds of sendable delivery: deferred and due, claimed by a worker whose
    lease ran out, and queued (and due). Each alone is one range of the (campaign_id, state)
    index."""
    return (
        and_(Delivery.state == DeliveryState.DEFERRED, Delivery.next_attempt_at <= now),
        and_(Delivery.state == DeliveryState.SENDING, Delivery.lease_until < now),
        and_(Delivery.state == DeliveryState.QUEUED, _due()),
    )


def next_due(session, campaign_id: int) -> datetime | None:
    """When the campaign has something to send again (naive UTC, wall clock): its first
    retry, or its first local-time delivery whose hour has not come. None when nothing
    waits for a time (an A/B test's rest waits for its winner, which starts the jobs)."""
    retry = session.scalar(select(func.min(Delivery.next_attempt_at)).where(
        Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.DEFERRED))
    local = session.scalar(select(func.min(Delivery.not_before)).where(
        Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.QUEUED,
        Delivery.not_before > clock.now(),
        or_(Delivery.ab_rest.is_(False), Delivery.variant.is_not(None))))
    if local is not None:
        local -= clock.offset()  # the clock's moment on the wall clock RQ schedules by
    return min((t for t in (retry, local) if t is not None), default=None)


def _sendable(campaign_id: int, now: datetime):
    return and_(Delivery.campaign_id == campaign_id, or_(*_sendable_kinds(now)))


def claim_batch(session, campaign_id: int, claimer: str, batch_size: int,
                lease_seconds: int) -> list[int]:
    """Atomically take up to ``batch_size`` sendable deliveries (retries that are due
    first, then claims whose lease ran out, then queued ones), then drop the ones that
    became unwanted. One statement per kind keeps every claim an index range scan."""
    now = utcnow()
    ids: list[int] = []
    for kind in _sendable_kinds(now):
        wanted = batch_size - len(ids)
        if wanted <= 0:
            break
        ids += rowclaim.claim_rows(
            session, Delivery, (Delivery.campaign_id == campaign_id, kind), limit=wanted,
            values={"state": DeliveryState.SENDING, "claimed_by": claimer,
                    "lease_until": now + timedelta(seconds=lease_seconds)},
            returning=Delivery.id)
    ids.sort()
    if ids:
        _cancel_suppressed(session, ids)
        # block list (seed 001): an entry added mid-campaign stops the remaining sends
        matching.mark_blocked(session, campaign_id, ids)
        ids = sorted(session.scalars(select(Delivery.id).where(
            Delivery.id.in_(ids), Delivery.claimed_by == claimer,
            Delivery.state == DeliveryState.SENDING)))
    session.commit()
    return ids


def expired_claims(session, campaign_id: int) -> bool:
    return session.scalar(select(Delivery.id).where(
        Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.SENDING,
        Delivery.lease_until < utcnow()).limit(1)) is not None


def _cancel_suppressed(session, ids: list[int]) -> None:
    """Claim-time re-check: addresses suppressed since the campaign started are dropped."""
    rows = session.execute(select(Delivery.id, Delivery.address).where(Delivery.id.in_(ids)))
    by_hash = {suppression.address_hash(address): did for did, address in rows}
    hits = session.scalars(select(Suppression.address_hash).where(
        Suppression.address_hash.in_(list(by_hash))))
    cancel = [by_hash[h] for h in hits]
    if cancel:
        session.execute(
            update(Delivery).where(Delivery.id.in_(cancel))
            .values(state=DeliveryState.CANCELLED, error="address is suppressed",
                    claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False))


def unwanted(session, campaign: Campaign, ids: list[int]) -> dict[int, str]:
    """Deliveries among ``ids`` that must not go out now, with the reason: their contact
    left every list of the campaign, or is no longer active. Two index lookups driven by the
    batch's ids, so the check stays cheap however large the lists are (a correlated EXISTS
    let PostgreSQL hash the whole subscription table before statistics existed)."""
    rows = session.execute(
        select(Delivery.id, Delivery.contact_id, Contact.status)
        .join(Contact, Contact.id == Delivery.contact_id)
        .where(Delivery.id.in_(ids))).all()
    contact_ids = [contact_id for _, contact_id, _ in rows]
    subscribed = set(session.scalars(select(Subscription.contact_id).where(
        Subscription.contact_id.in_(contact_ids),
        Subscription.list_id.in_([m.id for m in campaign.lists]),
        Subscription.channel == campaign.channel,
        Subscription.status == SubscriptionStatus.CONFIRMED))) if contact_ids else set()
    reasons = {}
    for delivery_id, contact_id, status in rows:
        if status != ContactStatus.ACTIVE:
            reasons[delivery_id] = "the contact is no longer active"
        elif contact_id not in subscribed:
            reasons[delivery_id] = "the contact unsubscribed"
    return reasons


def release(session, ids: list[int], claimer: str, state: str = DeliveryState.QUEUED) -> None:
    """Hand unsent claims back (pause, throttle) or cancel them, never touching rows whose
    outcome is already recorded."""
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.claimed_by == claimer,
               Delivery.state == DeliveryState.SENDING)
        .values(state=state, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def campaigns_needing_a_worker(session) -> list[int]:
    """For the reaper: running campaigns with work that is sendable now (including claims
    whose worker died), so lost or crashed jobs are replaced."""
    now = utcnow()
    return list(session.scalars(
        select(Campaign.id).where(
            Campaign.status == CampaignStatus.RUNNING,
            exists().where(_sendable(Campaign.id, now)),
        )))
