"""The sender: claims batches of deliveries, sends each over a reused connection and
records every outcome before moving on, so a crash leaves at most one message in doubt."""

import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from . import blocklist, campaigns
from .messages import build_email
from .messengers import DeliveryError, Messenger
from .models import Campaign, CampaignStatus, Delivery, DeliveryState, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendPolicy:
    batch_size: int = 200
    lease_seconds: int = 300
    max_attempts: int = 5
    retry_base_seconds: int = 60
    default_from: str = "Newsletter <newsletter@localhost>"

    @classmethod
    def from_config(cls, config) -> "SendPolicy":
        return cls(
            batch_size=config["SEND_BATCH_SIZE"],
            lease_seconds=config["SEND_LEASE_SECONDS"],
            max_attempts=config["SEND_MAX_ATTEMPTS"],
            retry_base_seconds=config["SEND_RETRY_BASE_SECONDS"],
            default_from=config["MAIL_FROM"],
        )


@dataclass
class BatchResult:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    stopped: bool = False  # the campaign was paused or cancelled mid-way


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_batch(session, campaign_id: int, claimer: str, policy: SendPolicy) -> list[int]:
    """Atomically take up to ``batch_size`` sendable deliveries: queued ones, deferred ones
    that are due, and claims whose lease expired (their worker died)."""
    now = utcnow()
    sendable = and_(
        Delivery.campaign_id == campaign_id,
        or_(
            Delivery.state == DeliveryState.QUEUED,
            and_(Delivery.state == DeliveryState.DEFERRED, Delivery.next_attempt_at <= now),
            and_(Delivery.state == DeliveryState.SENDING, Delivery.lease_until < now),
        ),
    )
    candidates = (
        select(Delivery.id).where(sendable).order_by(Delivery.id)
        .limit(policy.batch_size).with_for_update(skip_locked=True)
    )
    result = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(candidates.scalar_subquery()), sendable)
        .values(state=DeliveryState.SENDING, claimed_by=claimer,
                lease_until=now + timedelta(seconds=policy.lease_seconds))
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(result.scalars().all())
    # block list (seed 001): an entry added mid-campaign stops the remaining sends
    if ids and blocklist.mark_blocked(session, campaign_id, ids):
        blocked = set(session.scalars(select(Delivery.id).where(
            Delivery.id.in_(ids), Delivery.state == DeliveryState.BLOCKED)))
        ids = [i for i in ids if i not in blocked]
    session.commit()
    return ids


def send_claimed(session, campaign_id: int, ids: list[int], claimer: str,
                 messenger: Messenger, policy: SendPolicy) -> BatchResult:
    result = BatchResult()
    campaign = session.get(Campaign, campaign_id)
    for delivery_id in ids:
        status = session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))
        if status != CampaignStatus.RUNNING:
            _release(session, ids, claimer)
            result.stopped = True
            break
        delivery = session.get(Delivery, delivery_id)
        if delivery.state != DeliveryState.SENDING or delivery.claimed_by != claimer:
            continue  # lost the lease to another worker
        try:
            messenger.send(build_email(campaign, delivery, policy.default_from))
        except DeliveryError as exc:
            _record_failure(delivery, exc, policy)
            if delivery.state == DeliveryState.DEFERRED:
                result.deferred += 1
            else:
                result.failed += 1
        else:
            delivery.state = DeliveryState.SENT
            delivery.sent_at = campaign.last_sent_at = utcnow()
            delivery.error = None
            result.sent += 1
        delivery.attempts += 1
        delivery.claimed_by = delivery.lease_until = None
        session.commit()
    return result


def _record_failure(delivery: Delivery, exc: DeliveryError, policy: SendPolicy) -> None:
    delivery.error = str(exc)
    if exc.permanent or delivery.attempts + 1 >= policy.max_attempts:
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = None
    else:
        delay = policy.retry_base_seconds * 2**delivery.attempts
        delivery.state = DeliveryState.DEFERRED
        delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)


def _release(session, ids: list[int], claimer: str) -> None:
    """Hand unsent claims back to the queue (pause) without touching finished ones."""
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.claimed_by == claimer,
               Delivery.state == DeliveryState.SENDING)
        .values(state=DeliveryState.QUEUED, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def run_campaign(session, campaign_id: int, messenger: Messenger, policy: SendPolicy):
    """Send batches until nothing is sendable now. Returns the next time deferred
    deliveries fall due (None when nothing is left), so the caller can schedule a rerun."""
    claimer = worker_id()
    try:
        while True:
            ids = claim_batch(session, campaign_id, claimer, policy)
            if not ids:
                break
            if send_claimed(session, campaign_id, ids, claimer, messenger, policy).stopped:
                return None
    finally:
        messenger.close()
    if campaigns.finish_if_done(session, campaign_id):
        session.commit()
        return None
    return session.scalar(
        select(Delivery.next_attempt_at)
        .where(Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.DEFERRED)
        .order_by(Delivery.next_attempt_at)
        .limit(1)
    )
