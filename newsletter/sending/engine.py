"""The sender: claims batches of deliveries, sends each over a reused connection, and
records every outcome before moving on, so a crash leaves at most the one message in flight
in doubt. A messenger with a send window (SMPP, ``window`` > 1) gets the next messages
before the answers to the previous ones, up to its window: outcomes are recorded as the
answers come, and every answer is waited for before claims are handed back. Rates are held
across all workers by the limiter in Redis. Policy, shared parts and outcomes: ``policy``."""

import functools
import logging
import os
import threading
import time
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from newsletter.audience import profiles
from newsletter.bounces import dsn
from newsletter.campaigns import lifecycle
from newsletter.channels import circuit as circuits
from newsletter.channels.base import (
    ConnectionBackoff,
    DeliveryError,
    Messenger,
    OutgoingMessage,
    ServerUnavailable,
)
from newsletter.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Contact,
    Delivery,
    DeliveryState,
    Organization,
    utcnow,
)

from . import claims, journal, sms
from .messages import MessageFactory, Recipient, domain_of
from .policy import (  # noqa: F401  (SendPolicy, Shared, ... are the engine's API too)
    HARD_BOUNCE,
    RunResult,
    SendPolicy,
    Shared,
    outcome,
    worker_id,
)
from .throttle import Rate

log = logging.getLogger(__name__)
_stop = threading.Event()
_parent_pid: int | None = None


def request_stop() -> None:
    """Ask the running job to stop between messages (the worker got SIGTERM)."""
    _stop.set()


def watch_parent(pid: int) -> None:
    """Stop between messages, as on SIGTERM, once the process ``pid`` (the worker that
    forked this work-horse) is gone."""
    global _parent_pid
    _parent_pid = pid


def stopping() -> bool:
    """Whether the running job should stop between messages (its worker is stopping or
    gone)."""
    if _parent_pid is not None and os.getppid() != _parent_pid:
        _stop.set()
    return _stop.is_set()


def _rate_of(campaign: Campaign) -> Rate | None:
    sender = campaign.sender
    if sender is None or not sender.rate_limit:
        return None
    return Rate(sender.rate_limit, sender.rate_period)


_UNCLAIMED = {"claimed_by": None, "lease_until": None, "error": None, "smtp_reply": None,
              "sent_at": None, "next_attempt_at": None, "message_id": None}
FLUSH_EVERY = 500
FLUSH_SECONDS = 0.5
RESERVE_SECONDS = 0.1

#: Seconds before trying an unreachable server again when no circuit is shared (the engine
#: alone, in tests); with one, the circuit's back-off decides.
UNREACHABLE_WAIT = 5.0

#: How often a running batch re-reads the campaign's status and its recipients' choices, so
#: pause, cancel and unsubscribes take effect between messages without a query per message.
CHECK_INTERVAL = 0.25
CHECK_AHEAD = 250  # recipients covered by one check; a faster run checks more often


class CampaignRun:
    """One job's turn at a campaign: batches until nothing is sendable, the campaign stops,
    a limit says wait, or the job's time budget is spent."""

    def __init__(self, session, campaign_id: int, messenger: Messenger, policy: SendPolicy,
                 shared: Shared):
        self.session, self.campaign_id = session, campaign_id
        self.messenger, self.policy, self.shared = messenger, policy, shared
        self.claimer = worker_id()
        self.result = RunResult()
        self.started = self.flushed_at = time.monotonic()
        self.journal: journal.Journal | None = None
        self.reserved = 0  # rate slots taken in advance and not yet used
        self._prebuilt: tuple[int, OutgoingMessage | None, DeliveryError | None] | None = None
        self.probing = False  # this run is the circuit's prober: it reports the outcome
        #: a messenger with a send window: messages sent, unanswered (delivery id: attempts)
        self.windowed = getattr(messenger, "window", 1) > 1
        self._inflight: dict[int, int] = {}

    def run(self) -> RunResult:
        session = self.session
        campaign = session.get(Campaign, self.campaign_id)
        self.channel, self.rate = campaign.channel, _rate_of(campaign)
        self.rate_key = f"sender:{campaign.sender_id}"
        if self.channel == Channel.SMS:
            self.rate, self.rate_key = self.policy.sms_rate, f"sms:{campaign.sms_gateway}"
            factory = sms.SmsMessageFactory(campaign)
        else:
            factory = MessageFactory(campaign, base_url=self.policy.base_url,
                                     default_from=self.policy.default_from,
                                     bounce_domain=self.policy.bounce_domain, session=session)
        conn = self.shared.journal
        self.journal = journal.Journal(conn, self.campaign_id) if conn is not None else None
        first = True
        try:
            while self.result.next_run_at is None and not self.result.handover:
                if self._time_is_up():
                    break
                wait = self._server_wait()
                if wait:  # claim nothing while the server says wait, or cannot be reached
                    self.result.next_run_at = utcnow() + timedelta(seconds=wait)
                    break
                if conn is not None and (
                        first or claims.expired_claims(session, self.campaign_id)):
                    # a dead worker's outcomes, before its rows can be claimed again
                    journal.recover(conn, session, self.campaign_id)
                first = False
                ids = claims.claim_batch(session, self.campaign_id, self.claimer,
                                         self.policy.batch_size, self.policy.lease_seconds)
                if not ids or not self._send_batch(campaign, factory, ids):
                    break
        finally:
            self._drain()
            self._flush()
            if self.journal is not None:
                self.journal.close()
            self.messenger.close()
            if self.probing:  # a probe never tried: let another worker take it now
                self.shared.circuit.release(self.claimer)
            if self.shared.slots is not None:
                self.shared.slots.release(self.claimer)
        if self.result.next_run_at is None and not self.result.handover:
            self._finish_or_schedule()
        if self.channel == Channel.SMS:  # finished or cancelled: the quota follows
            sms.settle(session, self.campaign_id)
        return self.result

    def _time_is_up(self) -> bool:
        """The job's slice is spent: it hands over to a fresh job. Not before one message
        was tried: a job whose start-up alone outlasts the slice (a loaded machine) still
        moves the campaign on."""
        tried = self.result.sent + self.result.deferred + self.result.failed
        if tried and time.monotonic() - self.started > self.policy.job_budget_seconds:
            self.result.handover = True
        return self.result.handover

    def _recipients(self, ids: list[int]) -> list[tuple[Recipient, int]]:
        rows = self.session.execute(
            select(Delivery.id, Delivery.address, Delivery.contact_id, Delivery.attempts,
                   Contact.first_name, Contact.last_name, Contact.language, Contact.attributes,
                   Contact.tracking_opt_out, Organization.name, Delivery.variant)
            .outerjoin(Contact, Contact.id == Delivery.contact_id)
            .outerjoin(Organization, Organization.id == Contact.organization_id)
            .where(Delivery.id.in_(ids)).order_by(Delivery.id)).all()
        profile_links = {}
        if self.channel != Channel.SMS:  # an SMS carries no profile link
            profile_links = profiles.profile_urls(
                self.session, [r[2] for r in rows if r[2]], self.campaign_id, ids[0])
        self.session.commit()  # codes assigned to contacts that had none
        return [(Recipient(delivery_id=did, campaign_id=self.campaign_id, address=address,
                           contact_id=cid, first_name=first, last_name=last, language=lang,
                           attributes=attrs, profile_url=profile_links.get(cid),
                           organization=org, tracking_opt_out=bool(opt_out),
                           variant=variant), attempts)
                for did, address, cid, attempts, first, last, lang, attrs, opt_out, org, variant
                in rows]

    def _send_batch(self, campaign: Campaign, factory: MessageFactory, ids: list[int]) -> bool:
        """False when the run must stop (campaign stopped, limited, or rescheduled)."""
        wait = self._connection_wait()
        if wait:
            return self._stop(ids, DeliveryState.QUEUED, wait)
        batch = self._recipients(ids)
        skip: dict[int, str] = {}
        next_check, checked_until = 0.0, 0
        lease_renew_at = time.monotonic() + self.policy.lease_seconds / 4
        for position, (recipient, attempts) in enumerate(batch):
            if stopping():
                return self._stop(_ids(batch[position:]), DeliveryState.QUEUED, 0)
            if self._time_is_up():
                self._release(_ids(batch[position:]), DeliveryState.QUEUED)
                return False
            now = time.monotonic()
            if now >= next_check or position >= checked_until:
                status = self.session.scalar(select(Campaign.status).where(
                    Campaign.id == self.campaign_id))
                if status != CampaignStatus.RUNNING:
                    after = DeliveryState.CANCELLED if status == CampaignStatus.CANCELLED \
                        else DeliveryState.QUEUED
                    self._release(_ids(batch[position:]), after)
                    return False
                ahead = _ids(batch[position:position + CHECK_AHEAD])
                skip = claims.unwanted(self.session, campaign, ahead)
                next_check, checked_until = now + CHECK_INTERVAL, position + CHECK_AHEAD
            if now >= lease_renew_at:
                self._renew(_ids(batch[position:]))
                lease_renew_at = now + self.policy.lease_seconds / 4
            if recipient.delivery_id in skip:
                self._write(recipient.delivery_id, {
                    **_UNCLAIMED, "attempts": attempts, "state": DeliveryState.CANCELLED,
                    "error": skip[recipient.delivery_id]})
                continue
            wait = self._rate_wait()
            if wait:
                return self._stop(_ids(batch[position:]), DeliveryState.QUEUED, wait)
            following = batch[position + 1][0] if position + 1 < len(batch) else None
            if following is not None and (following.delivery_id in skip
                                          or self.policy.domain_rate is not None):
                following = None  # not announced when it may not go next
            if not self._send_one(factory, recipient, attempts, following):
                self._release(_ids(batch[position + 1:]), DeliveryState.QUEUED)
                return False
        return True

    def _release(self, ids: list[int], state: str) -> None:
        self._drain()  # the answers to the messages in the window first
        self._flush()  # journaled outcomes first, or release would re-queue sent rows
        claims.release(self.session, ids, self.claimer, state)

    def _stop(self, ids: list[int], state: str, run_again_in: float) -> bool:
        self._release(ids, state)
        self.result.next_run_at = utcnow() + timedelta(seconds=run_again_in)
        return False

    def _server_wait(self) -> float:
        """Seconds before this worker may connect to the SMTP server: a 421 back-off, or an
        open circuit (the server could not be reached) whose next probe is not due or is
        another worker's. Checked before each batch is claimed."""
        slots, circuit = self.shared.slots, self.shared.circuit
        backoff = slots.backoff_remaining() if slots is not None else 0.0
        if backoff:
            return backoff
        if circuit is None or self.probing:
            return 0.0
        state, wait = circuit.enter(self.claimer)
        self.probing = state == circuits.PROBE
        return wait

    def _connection_wait(self) -> float:
        """Seconds before this worker may open a connection (every connection slot is
        taken); checked once per batch."""
        slots = self.shared.slots
        if slots is None:
            return 0.0
        return 0.0 if slots.acquire(self.claimer) else 5.0

    def _rate_wait(self) -> float:
        """0 when the sender's rate allows the next message now (short waits are slept
        through); otherwise how long until it does."""
        limiter = self.shared.limiter
        if limiter is None or self.rate is None:
            return 0.0
        if self.reserved:
            self.reserved -= 1
            return 0.0
        # fast senders reserve a tenth of a second's worth of slots per Redis round trip;
        # a burst of one such reservation lets another worker reserve while this one's
        # slots are still being used (the rate holds to within 0.1 s worth of messages)
        count = max(1, int(self.rate.per_second() * RESERVE_SECONDS))
        while (wait := limiter.acquire(self.rate_key, self.rate, count, burst=count)) > 0:
            if wait > self.policy.max_inline_wait:
                return wait
            self.shared.sleep(wait)
        self.reserved = count - 1
        return 0.0

    def _domain_wait(self, address: str) -> float:
        rate, limiter = self.policy.domain_rate, self.shared.limiter
        if rate is None or limiter is None or self.channel == Channel.SMS:
            return 0.0
        return limiter.acquire(f"domain:{domain_of(address)}", rate)

    def _write(self, delivery_id: int, values: dict) -> None:
        """Record one delivery's outcome before the next message: in the Redis journal
        (flushed to the database every FLUSH_EVERY outcomes or FLUSH_SECONDS), or straight
        into the database."""
        if self.journal is None:
            journal.apply(self.session, {delivery_id: values})
            self._note_last_sent([values])
            self.session.commit()
            return
        self.journal.record(delivery_id, values)
        if len(self.journal.pending) >= FLUSH_EVERY or \
                time.monotonic() - self.flushed_at > FLUSH_SECONDS:
            self._flush()

    def _flush(self) -> None:
        if self.journal is not None:
            self._note_last_sent(self.journal.pending.values())
            self.journal.flush(self.session)
        self.flushed_at = time.monotonic()

    def _note_last_sent(self, outcomes) -> None:
        """"Last sent" on the status tab, written with the outcomes it comes from: an
        update of the campaign row left open between flushes would hold its lock (and
        SQLite's only write lock) while messages go out, and stall every other worker."""
        last = max((v["sent_at"] for v in outcomes if v.get("sent_at")), default=None)
        if last is not None:
            self.session.execute(
                update(Campaign).where(Campaign.id == self.campaign_id, or_(
                    Campaign.last_sent_at.is_(None), Campaign.last_sent_at < last))
                .values(last_sent_at=last))

    def _send_one(self, factory: MessageFactory, recipient: Recipient, attempts: int,
                  following: Recipient | None = None) -> bool:
        """Send and record one delivery (announcing the ``following`` one to the server);
        False when the connection must back off."""
        domain_wait = self._domain_wait(recipient.address)
        if domain_wait:  # this domain's share is used up: try again later, no attempt spent
            self._write(recipient.delivery_id, {
                **_UNCLAIMED, "attempts": attempts, "state": DeliveryState.DEFERRED,
                "next_attempt_at": utcnow() + timedelta(seconds=domain_wait)})
            return True
        error, reply = None, ""
        prebuilt, self._prebuilt = self._prebuilt, None
        if prebuilt is not None and prebuilt[0] == recipient.delivery_id:
            message, error = prebuilt[1], prebuilt[2]  # built behind the previous message
            if message is not None:  # its envelope went out behind the previous message
                self.messenger.begin(message.sender, message.recipient)
        else:
            return_path = factory.return_path(recipient)
            self.messenger.begin(return_path, recipient.address)
            try:
                message = factory.build(recipient, return_path)  # while the server answers
            except DeliveryError as exc:  # MessageNotBuilt: this recipient's merge tags
                message, error = None, exc
        if self.journal is not None:
            self.journal.confirm()  # the previous outcome is safe before this one goes out
        if self.windowed and message is not None:
            return self._send_windowed(recipient, attempts, message)
        then = meanwhile = None
        if following is not None and message is not None:
            then = (factory.return_path(following), following.address)
            meanwhile = functools.partial(self._prebuild, factory, following, then[0])
        try:
            if message is not None:
                reply = self.messenger.send(message, then, meanwhile)
        except ServerUnavailable as exc:
            return self._unreachable(recipient, exc)
        except DeliveryError as exc:
            error = exc
        if self.probing and message is not None:  # the server answered: the outage is over
            self.shared.circuit.succeeded()
            self.probing = False
        return self._record(recipient.delivery_id, attempts, error, reply)

    def _send_windowed(self, recipient: Recipient, attempts: int,
                       message: OutgoingMessage) -> bool:
        """Send without waiting for the answer (the messenger's window); record the answers
        that came meanwhile."""
        self._inflight[recipient.delivery_id] = attempts
        try:
            answers = self.messenger.send_windowed(message)
        except ServerUnavailable as exc:
            del self._inflight[recipient.delivery_id]
            return self._unreachable(recipient, exc)
        return self._record_answers(answers)

    def _record_answers(self, answers) -> bool:
        go_on = True
        for delivery_id, reply, error in answers:
            attempts = self._inflight.pop(delivery_id)
            go_on = self._record(delivery_id, attempts, error, reply or "") and go_on
        return go_on

    def _drain(self) -> None:
        """Wait for the answers to every message in the window and record them."""
        if self._inflight:
            self._record_answers(self.messenger.drain())

    def _record(self, delivery_id: int, attempts: int, error: DeliveryError | None,
                reply: str) -> bool:
        """Record one attempt's outcome; False when the connection must back off."""
        values = outcome(attempts, error, reply, self.policy)
        state = values["state"]
        if state == DeliveryState.SENT:
            self.result.sent += 1
        elif state == DeliveryState.DEFERRED:
            self.result.deferred += 1
        else:
            self.result.failed += 1
            if state == DeliveryState.BOUNCED:
                dsn.mark_hard(self.session, self.session.get(Delivery, delivery_id),
                              values["error"])
                self.session.commit()  # no write lock held while the next messages go out
        self._write(delivery_id, values)
        if isinstance(error, ConnectionBackoff):
            seconds = self.policy.backoff_421_seconds
            if self.shared.slots is not None:
                self.shared.slots.back_off(seconds)
            self.result.next_run_at = utcnow() + timedelta(seconds=seconds)
            return False
        return True

    def _unreachable(self, recipient: Recipient, exc: ServerUnavailable) -> bool:
        """No session could be opened: nothing was handed over and the recipient is not to
        blame. The delivery goes back to the queue as it was (no attempt spent), the circuit
        opens for every worker, and the run waits for its next probe."""
        self._release([recipient.delivery_id], DeliveryState.QUEUED)
        circuit = self.shared.circuit
        wait = circuit.failed(str(exc)) if circuit is not None else UNREACHABLE_WAIT
        self.probing = False
        self.result.waiting_for_server = str(exc)
        self.result.next_run_at = utcnow() + timedelta(seconds=wait)
        log.warning("campaign %s waits %.0f s for the mail server: %s", self.campaign_id,
                    wait, exc)
        return False

    def _prebuild(self, factory: MessageFactory, recipient: Recipient,
                  return_path: str) -> None:
        """Build the next message while the server reads this one. A recipient's build
        failure is kept for that message's own turn, recorded after this outcome (built
        once: a runaway template costs one budget); any other error is left to that turn."""
        try:
            self._prebuilt = (recipient.delivery_id, factory.build(recipient, return_path),
                              None)
        except DeliveryError as exc:  # MessageNotBuilt: this recipient's merge tags
            self._prebuilt = (recipient.delivery_id, None, exc)
        except Exception:
            self._prebuilt = None

    def _renew(self, ids: list[int]) -> None:
        self._flush()
        self.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.claimed_by == self.claimer,
                   Delivery.state == DeliveryState.SENDING)
            .values(lease_until=utcnow() + timedelta(seconds=self.policy.lease_seconds))
            .execution_options(synchronize_session=False))
        self.session.commit()

    def _finish_or_schedule(self) -> None:
        session = self.session
        last = session.scalar(select(func.max(Delivery.sent_at)).where(
            Delivery.campaign_id == self.campaign_id))
        session.execute(update(Campaign).where(Campaign.id == self.campaign_id)
                        .values(last_sent_at=last))
        if lifecycle.finish_if_done(session, self.campaign_id):
            session.commit()
            self.result.finished = True
            return
        session.commit()
        self.result.next_run_at = claims.next_due(session, self.campaign_id)


def _ids(batch: list[tuple[Recipient, int]]) -> list[int]:
    return [recipient.delivery_id for recipient, _ in batch]


def run_campaign(session, campaign_id: int, messenger: Messenger, policy: SendPolicy,
                 shared: Shared | None = None) -> RunResult:
    return CampaignRun(session, campaign_id, messenger, policy, shared or Shared()).run()
