"""The sender: claims batches of deliveries, sends each over a reused connection, and
records every outcome before moving on, so a crash leaves at most the one message in flight
in doubt. Rates are held across all workers by the limiter in Redis."""

import logging
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update

from . import bounces, campaigns, suppression
from .messages import MessageFactory, domain_of
from .messengers import ConnectionBackoff, DeliveryError, Messenger
from .models import (
    Campaign,
    CampaignStatus,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryState,
    Subscription,
    SubscriptionStatus,
    Suppression,
    campaign_list,
    utcnow,
)
from .throttle import ConnectionSlots, Rate, RateLimiter

log = logging.getLogger(__name__)
HARD_BOUNCE = re.compile(r"\b5\.1\.\d{1,3}\b")
_stop = threading.Event()


def request_stop() -> None:
    """Ask the running job to stop between messages (the worker got SIGTERM)."""
    _stop.set()


@dataclass(frozen=True)
class SendPolicy:
    batch_size: int = 200
    lease_seconds: int = 300
    max_attempts: int = 5
    retry_base_seconds: int = 60
    default_from: str = "Newsletter <newsletter@localhost>"
    base_url: str = "http://127.0.0.1:5000"
    bounce_domain: str | None = None
    max_inline_wait: float = 2.0  # wait longer than this: reschedule instead of sleeping
    job_budget_seconds: float = 480.0  # then hand over to a fresh job (job_timeout 600)
    backoff_421_seconds: int = 60
    domain_rate: Rate | None = None  # optional per-recipient-domain limit

    @classmethod
    def from_config(cls, config) -> "SendPolicy":
        per_min = config["DOMAIN_RATE_PER_MINUTE"]
        return cls(
            batch_size=config["SEND_BATCH_SIZE"], lease_seconds=config["SEND_LEASE_SECONDS"],
            max_attempts=config["SEND_MAX_ATTEMPTS"],
            retry_base_seconds=config["SEND_RETRY_BASE_SECONDS"],
            default_from=config["MAIL_FROM"], base_url=config["BASE_URL"],
            bounce_domain=config["BOUNCE_DOMAIN"],
            domain_rate=Rate(per_min, "minute") if per_min else None,
        )


@dataclass
class Throttles:
    """The shared limits; None parts are not enforced (tests of the engine alone)."""

    limiter: RateLimiter | None = None
    slots: ConnectionSlots | None = None
    sleep: callable = time.sleep


@dataclass
class RunResult:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    next_run_at: datetime | None = None  # when to run again (throttled, 421, deferred)
    finished: bool = False
    notes: list[str] = field(default_factory=list)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _sendable(campaign_id: int, now: datetime):
    return and_(
        Delivery.campaign_id == campaign_id,
        or_(
            Delivery.state == DeliveryState.QUEUED,
            and_(Delivery.state == DeliveryState.DEFERRED, Delivery.next_attempt_at <= now),
            and_(Delivery.state == DeliveryState.SENDING, Delivery.lease_until < now),
        ),
    )


def claim_batch(session, campaign_id: int, claimer: str, policy: SendPolicy) -> list[int]:
    """Atomically take up to ``batch_size`` sendable deliveries (queued, deferred and due,
    or claimed by a worker whose lease ran out), then drop the ones that became unwanted."""
    now = utcnow()
    candidates = (
        select(Delivery.id).where(_sendable(campaign_id, now)).order_by(Delivery.id)
        .limit(policy.batch_size).with_for_update(skip_locked=True)
    )
    result = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(candidates.scalar_subquery()), _sendable(campaign_id, now))
        .values(state=DeliveryState.SENDING, claimed_by=claimer,
                lease_until=now + timedelta(seconds=policy.lease_seconds))
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(result.scalars().all())
    if ids:
        _cancel_suppressed(session, ids)
        ids = sorted(session.scalars(select(Delivery.id).where(
            Delivery.id.in_(ids), Delivery.claimed_by == claimer,
            Delivery.state == DeliveryState.SENDING)))
    session.commit()
    return ids


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


def _still_wanted(session, campaign: Campaign, delivery: Delivery) -> str | None:
    """None when the delivery may go out now, else why not (one query per message)."""
    if delivery.contact_id is None:
        return None  # an extra recipient typed on the campaign
    subscribed = exists().where(
        campaign_list.c.campaign_id == campaign.id,
        Subscription.list_id == campaign_list.c.list_id,
        Subscription.contact_id == Contact.id, Subscription.channel == campaign.channel,
        Subscription.status == SubscriptionStatus.CONFIRMED)
    row = session.execute(select(Contact.status, subscribed).where(
        Contact.id == delivery.contact_id)).first()
    if row is None or row[0] != ContactStatus.ACTIVE:
        return "the contact is no longer active"
    if not row[1]:
        return "the contact unsubscribed"
    return None


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


def _record(delivery: Delivery, exc: DeliveryError | None, reply: str,
            policy: SendPolicy) -> str:
    """Set the delivery's outcome; returns the new state."""
    delivery.attempts += 1
    delivery.claimed_by = delivery.lease_until = None
    if exc is None:
        delivery.state, delivery.sent_at, delivery.error = DeliveryState.SENT, utcnow(), None
        delivery.smtp_reply = reply[:300]
        return delivery.state
    delivery.error = delivery.smtp_reply = str(exc)[:300]
    if exc.permanent and HARD_BOUNCE.search(str(exc)):
        delivery.state = DeliveryState.BOUNCED
    elif exc.permanent or delivery.attempts >= policy.max_attempts:
        delivery.state = DeliveryState.FAILED
    else:
        delivery.state = DeliveryState.DEFERRED
        delivery.next_attempt_at = utcnow() + timedelta(
            seconds=policy.retry_base_seconds * 2 ** (delivery.attempts - 1))
    return delivery.state


def _rate_of(campaign: Campaign) -> Rate | None:
    sender = campaign.sender
    if sender is None or not sender.rate_limit:
        return None
    return Rate(sender.rate_limit, sender.rate_period)


class CampaignRun:
    """One job's turn at a campaign: batches until nothing is sendable, the campaign stops,
    a limit says wait, or the job's time budget is spent."""

    def __init__(self, session, campaign_id: int, messenger: Messenger, policy: SendPolicy,
                 throttles: Throttles):
        self.session, self.campaign_id = session, campaign_id
        self.messenger, self.policy, self.throttles = messenger, policy, throttles
        self.claimer = worker_id()
        self.result = RunResult()
        self.started = time.monotonic()

    def run(self) -> RunResult:
        session = self.session
        campaign = session.get(Campaign, self.campaign_id)
        factory = MessageFactory(campaign, base_url=self.policy.base_url,
                                 default_from=self.policy.default_from,
                                 bounce_domain=self.policy.bounce_domain)
        try:
            while self.result.next_run_at is None:
                if time.monotonic() - self.started > self.policy.job_budget_seconds:
                    self.result.next_run_at = utcnow()
                    break
                ids = claim_batch(session, self.campaign_id, self.claimer, self.policy)
                if not ids or not self._send_batch(campaign, factory, ids):
                    break
        finally:
            self.messenger.close()
            if self.throttles.slots is not None:
                self.throttles.slots.release(self.claimer)
        if self.result.next_run_at is None:
            self._finish_or_schedule()
        return self.result

    def _send_batch(self, campaign: Campaign, factory: MessageFactory, ids: list[int]) -> bool:
        """False when the run must stop (campaign stopped, or rescheduled)."""
        session = self.session
        lease_renew_at = time.monotonic() + self.policy.lease_seconds / 4
        for position, delivery_id in enumerate(ids):
            if _stop.is_set():
                release(session, ids[position:], self.claimer)
                self.result.next_run_at = utcnow()  # another worker carries on
                return False
            status = session.scalar(select(Campaign.status).where(
                Campaign.id == self.campaign_id))
            if status != CampaignStatus.RUNNING:
                after = DeliveryState.CANCELLED if status == CampaignStatus.CANCELLED \
                    else DeliveryState.QUEUED
                release(session, ids[position:], self.claimer, after)
                return False
            if time.monotonic() > lease_renew_at:
                self._renew(ids[position:])
                lease_renew_at = time.monotonic() + self.policy.lease_seconds / 4
            delivery = session.get(Delivery, delivery_id)
            if delivery.state != DeliveryState.SENDING or delivery.claimed_by != self.claimer:
                continue  # the lease went to another worker
            wait = self._wait_for_slot(campaign)
            if wait:
                release(session, ids[position:], self.claimer)
                self.result.next_run_at = utcnow() + timedelta(seconds=wait)
                return False
            if not self._send_one(campaign, factory, delivery):
                release(session, ids[position + 1:], self.claimer)
                return False
        return True

    def _wait_for_slot(self, campaign: Campaign) -> float:
        """0 when this worker may send the next message now (sleeping through short waits);
        otherwise how long until it may."""
        throttles, rate = self.throttles, _rate_of(campaign)
        if throttles.slots is not None:
            backoff = throttles.slots.backoff_remaining()
            if backoff:
                return backoff
            if not throttles.slots.acquire(self.claimer):
                return 5.0  # every SMTP connection slot is taken
        if throttles.limiter is None or rate is None:
            return 0.0
        key = f"sender:{campaign.sender_id}"
        while (wait := throttles.limiter.acquire(key, rate)) > 0:
            if wait > self.policy.max_inline_wait:
                return wait
            throttles.sleep(wait)
        return 0.0

    def _domain_wait(self, address: str) -> float:
        rate, limiter = self.policy.domain_rate, self.throttles.limiter
        if rate is None or limiter is None:
            return 0.0
        return limiter.acquire(f"domain:{domain_of(address)}", rate)

    def _send_one(self, campaign: Campaign, factory: MessageFactory,
                  delivery: Delivery) -> bool:
        """Send and record one delivery; False when the connection must back off."""
        session = self.session
        reason = _still_wanted(session, campaign, delivery)
        if reason:
            delivery.state, delivery.error = DeliveryState.CANCELLED, reason
            delivery.claimed_by = delivery.lease_until = None
            session.commit()
            return True
        domain_wait = self._domain_wait(delivery.address)
        if domain_wait:
            delivery.state = DeliveryState.DEFERRED
            delivery.next_attempt_at = utcnow() + timedelta(seconds=domain_wait)
            delivery.claimed_by = delivery.lease_until = None
            session.commit()
            return True
        error, reply = None, ""
        try:
            reply = self.messenger.send(factory.build(delivery))
        except DeliveryError as exc:
            error = exc
        state = _record(delivery, error, reply, self.policy)
        if state == DeliveryState.SENT:
            campaign.last_sent_at = delivery.sent_at
            self.result.sent += 1
        elif state == DeliveryState.DEFERRED:
            self.result.deferred += 1
        else:
            self.result.failed += 1
            if state == DeliveryState.BOUNCED:
                bounces.mark_hard(session, delivery, delivery.error)
        session.commit()
        if isinstance(error, ConnectionBackoff):
            seconds = self.policy.backoff_421_seconds
            if self.throttles.slots is not None:
                self.throttles.slots.back_off(seconds)
            self.result.next_run_at = utcnow() + timedelta(seconds=seconds)
            return False
        return True

    def _renew(self, ids: list[int]) -> None:
        self.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.claimed_by == self.claimer,
                   Delivery.state == DeliveryState.SENDING)
            .values(lease_until=utcnow() + timedelta(seconds=self.policy.lease_seconds))
            .execution_options(synchronize_session=False))
        self.session.commit()

    def _finish_or_schedule(self) -> None:
        session = self.session
        if campaigns.finish_if_done(session, self.campaign_id):
            session.commit()
            self.result.finished = True
            return
        self.result.next_run_at = session.scalar(
            select(Delivery.next_attempt_at)
            .where(Delivery.campaign_id == self.campaign_id,
                   Delivery.state == DeliveryState.DEFERRED)
            .order_by(Delivery.next_attempt_at).limit(1))


def run_campaign(session, campaign_id: int, messenger: Messenger, policy: SendPolicy,
                 throttles: Throttles | None = None) -> RunResult:
    return CampaignRun(session, campaign_id, messenger, policy, throttles or Throttles()).run()


def campaigns_needing_a_worker(session) -> list[int]:
    """For the reaper: running campaigns with work that is sendable now (including claims
    whose worker died), so lost or crashed jobs are replaced."""
    now = utcnow()
    return list(session.scalars(
        select(Campaign.id).where(
            Campaign.status == CampaignStatus.RUNNING,
            exists().where(_sendable(Campaign.id, now)),
        )))
