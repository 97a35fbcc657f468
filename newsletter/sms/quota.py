"""The SMS quota: parts the owner has bought, held by campaigns, and spent.

One account row holds ``available`` and ``reserved`` parts; every movement is a single
conditional ``UPDATE … RETURNING`` on it (``available >= n`` for a reservation), so two
campaigns starting at the same moment cannot both take the last parts: the database
serializes the two updates and the second one finds too little and is refused. Each movement
is also written to the append-only ledger, with the balance right after it.

- ``top_up``: the owner adds parts.
- ``reserve``: a campaign takes the parts of all its messages at start (refused when the
  quota cannot cover them).
- ``deduct``: parts sent are taken from the campaign's reservation (one per part; a text
  that came out longer than reserved takes the difference from ``available``).
- ``release_unsent``: what a campaign reserved and did not send goes back (cancel, finish
  with failures).
"""

from dataclasses import dataclass

from flask_babel import gettext, ngettext
from sqlalchemy import and_, func, or_, select, text, update

from newsletter.errors import DomainError
from newsletter.models import (
    Campaign,
    Delivery,
    DeliveryState,
    QuotaMovementKind,
    SmsAccount,
    SmsQuotaMovement,
)

ACCOUNT_ID = 1
#: the largest single top-up (a typo guard, far beyond any real order)
TOP_UP_MAX = 10_000_000


class QuotaError(DomainError):
    pass


class QuotaExceeded(QuotaError):
    def __init__(self, needed: int, available: int):
        super().__init__(ngettext("The SMS quota cannot cover this: %(num)d part needed, "
                                  "%(available)d available.",
                                  "The SMS quota cannot cover this: %(num)d parts needed, "
                                  "%(available)d available.", needed, available=available))
        self.needed = needed
        self.available = available


@dataclass(frozen=True)
class Balance:
    available: int
    reserved: int


def ensure_account(session) -> None:
    """Create the account row once (both databases take ``ON CONFLICT DO NOTHING``)."""
    session.execute(text("INSERT INTO sms_account (id) VALUES (:id) ON CONFLICT (id) DO NOTHING"),
                    {"id": ACCOUNT_ID})


def balance(session) -> Balance:
    row = session.execute(select(SmsAccount.available, SmsAccount.reserved)
                          .where(SmsAccount.id == ACCOUNT_ID)).one_or_none()
    return Balance(row.available, row.reserved) if row else Balance(0, 0)


def _move(session, kind: str, amount: int, *, available: int, reserved: int, guard=None,
          campaign_id: int | None = None, note: str = "", actor: str = "") -> Balance | None:
    """Apply one movement to the account if ``guard`` holds; None when it does not."""
    ensure_account(session)
    statement = update(SmsAccount).where(SmsAccount.id == ACCOUNT_ID)
    if guard is not None:
        statement = statement.where(guard)
    statement = (statement.values(available=SmsAccount.available + available,
                                  reserved=SmsAccount.reserved + reserved)
                 .returning(SmsAccount.available, SmsAccount.reserved)
                 .execution_options(synchronize_session=False))
    row = session.execute(statement).one_or_none()
    if row is None:
        return None
    session.add(SmsQuotaMovement(kind=kind, amount=amount, available_after=row.available,
                                 reserved_after=row.reserved, campaign_id=campaign_id,
                                 note=note, actor=actor))
    session.flush()
    return Balance(row.available, row.reserved)


def top_up(session, amount: int, note: str = "", actor: str = "") -> Balance:
    if not 0 < amount <= TOP_UP_MAX:
        raise QuotaError(gettext("A top-up is a whole number of parts from 1 to %(max)s.",
                                 max=f"{TOP_UP_MAX:,}"))
    moved = _move(session, QuotaMovementKind.TOP_UP, amount, available=amount, reserved=0,
                  note=note.strip()[:500], actor=actor)
    assert moved is not None  # no guard
    return moved


def reserve(session, campaign_id: int, parts: int, actor: str = "") -> Balance:
    """Take ``parts`` for a campaign, or raise QuotaExceeded and take nothing."""
    if parts < 0:
        raise QuotaError("A reservation cannot be negative.")
    moved = _move(session, QuotaMovementKind.RESERVE, parts, available=-parts, reserved=parts,
                  guard=SmsAccount.available >= parts, campaign_id=campaign_id, actor=actor)
    if moved is None:
        raise QuotaExceeded(parts, balance(session).available)
    session.execute(update(Campaign).where(Campaign.id == campaign_id)
                    .values(sms_parts_reserved=Campaign.sms_parts_reserved + parts)
                    .execution_options(synchronize_session=False))
    return moved


def deduct(session, campaign_id: int, parts: int) -> Balance:
    """Spend ``parts`` sent by a campaign from its reservation; a shortfall (a merged text
    longer than reserved for it) is reserved first, and refused when the quota is empty."""
    if parts <= 0:
        return balance(session)
    while not _spend(session, campaign_id, parts):
        held = session.execute(select(Campaign.sms_parts_reserved - Campaign.sms_parts_used)
                               .where(Campaign.id == campaign_id)).scalar_one()
        reserve(session, campaign_id, parts - max(held, 0))
    moved = _move(session, QuotaMovementKind.DEDUCT, parts, available=0, reserved=-parts,
                  guard=SmsAccount.reserved >= parts, campaign_id=campaign_id)
    if moved is None:  # cannot happen while every reservation goes through here
        raise QuotaError("The SMS quota's reservations are inconsistent.")
    return moved


def _spend(session, campaign_id: int, parts: int) -> bool:
    """Count ``parts`` as used if the campaign holds that many unspent parts."""
    return bool(session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id,
               Campaign.sms_parts_reserved - Campaign.sms_parts_used >= parts)
        .values(sms_parts_used=Campaign.sms_parts_used + parts)
        .execution_options(synchronize_session=False)).rowcount)


def release_unsent(session, campaign_id: int, actor: str = "") -> int:
    """Give back what the campaign holds and did not spend; returns the parts released."""
    while True:
        unspent = session.execute(select(Campaign.sms_parts_reserved - Campaign.sms_parts_used)
                                  .where(Campaign.id == campaign_id)).scalar_one()
        if unspent <= 0:
            return 0
        taken = session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id,
                   Campaign.sms_parts_reserved - Campaign.sms_parts_used == unspent)
            .values(sms_parts_reserved=Campaign.sms_parts_reserved - unspent)
            .execution_options(synchronize_session=False)).rowcount
        if taken:
            break
    _move(session, QuotaMovementKind.RELEASE, unspent, available=unspent, reserved=-unspent,
          campaign_id=campaign_id, actor=actor)
    return unspent


def movements(session, limit: int = 100, offset: int = 0) -> list[SmsQuotaMovement]:
    """The ledger, newest first."""
    return list(session.scalars(select(SmsQuotaMovement)
                                .order_by(SmsQuotaMovement.id.desc())
                                .limit(limit).offset(offset)))


def movement_count(session) -> int:
    return session.scalar(select(func.count()).select_from(SmsQuotaMovement)) or 0


def settle(session, campaign_id: int, actor: str = "") -> Balance:
    """Bring a campaign's quota in line with its deliveries (idempotent): parts of messages
    sent since the last settlement are deducted, and the reservation becomes exactly the
    parts still to send (queued, in flight, deferred): more is reserved (QuotaExceeded when
    the quota cannot cover it: a resend), the rest is released (cancel, failures, finish).
    The first statement locks the campaign row, so two settlements of one campaign (two
    workers finishing, a cancel meeting a worker) run one after the other."""
    session.execute(update(Campaign).where(Campaign.id == campaign_id)
                    .values(sms_parts_used=Campaign.sms_parts_used)
                    .execution_options(synchronize_session=False))
    parts = func.coalesce(func.sum(Delivery.sms_parts), 0)
    sent = session.scalar(select(parts).where(Delivery.campaign_id == campaign_id, or_(
        Delivery.state.in_((DeliveryState.SENT, DeliveryState.DELIVERED)),
        and_(Delivery.state == DeliveryState.FAILED, Delivery.sent_at.is_not(None)))))
    pending = session.scalar(select(parts).where(
        Delivery.campaign_id == campaign_id, Delivery.state.in_(DeliveryState.PENDING)))
    reserved, used = session.execute(select(Campaign.sms_parts_reserved, Campaign.sms_parts_used)
                                     .where(Campaign.id == campaign_id)).one()
    if sent > used:
        deduct(session, campaign_id, sent - used)
        reserved = max(reserved, sent)
    target = max(sent, used) + pending
    if reserved < target:
        reserve(session, campaign_id, target - reserved, actor=actor)
    elif reserved > target:
        _release(session, campaign_id, reserved - target, actor)
    return balance(session)


def _release(session, campaign_id: int, parts: int, actor: str) -> None:
    session.execute(update(Campaign).where(Campaign.id == campaign_id)
                    .values(sms_parts_reserved=Campaign.sms_parts_reserved - parts)
                    .execution_options(synchronize_session=False))
    _move(session, QuotaMovementKind.RELEASE, parts, available=parts, reserved=-parts,
          campaign_id=campaign_id, actor=actor)


def set_alphanumeric_sender(session, allowed: bool) -> None:
    """The owner allows (or no longer allows) campaigns to send from a name."""
    ensure_account(session)
    session.execute(update(SmsAccount).where(SmsAccount.id == ACCOUNT_ID)
                    .values(alphanumeric_sender=allowed)
                    .execution_options(synchronize_session=False))


def alphanumeric_sender_allowed(session) -> bool:
    return bool(session.scalar(select(SmsAccount.alphanumeric_sender)
                               .where(SmsAccount.id == ACCOUNT_ID)))


def charge(session, campaign_id: int | None, parts: int, note: str = "",
           actor: str = "") -> Balance:
    """Take ``parts`` straight from ``available`` (a test send), or QuotaExceeded."""
    moved = _move(session, QuotaMovementKind.DEDUCT, parts, available=-parts, reserved=0,
                  guard=SmsAccount.available >= parts, campaign_id=campaign_id, note=note,
                  actor=actor)
    if moved is None:
        raise QuotaExceeded(parts, balance(session).available)
    return moved


def refund(session, campaign_id: int | None, parts: int, note: str = "") -> Balance:
    """Give back a charge whose message was not sent."""
    moved = _move(session, QuotaMovementKind.RELEASE, parts, available=parts, reserved=0,
                  campaign_id=campaign_id, note=note)
    assert moved is not None  # no guard
    return moved
