"""The bulk upsert's rows keyed by phone (no e-mail address): each one through the same
domain functions as the single-contact API (``audience.integration``), so they keep every
rule of the e-mail rows: a suppressed number or a contact that is not active is skipped
and never re-activated, a contact who left the list is not put back, the plan's contact
limit leaves new ones out, and a subscription (on the list's SMS channel) is confirmed
with the stated legal basis on a consent record. The number is E.164, validated when the
row is cleaned (``sms.numbers``)."""

from dataclasses import dataclass

from sqlalchemy import select

from newsletter.audience import integration
from newsletter.audience.suppression import is_suppressed
from newsletter.models import (
    Channel,
    Contact,
    ContactStatus,
    MailingList,
    Subscription,
    SubscriptionStatus,
)
from newsletter.platform import limits


@dataclass(frozen=True)
class PhoneRow:
    index: int
    phone: str  # E.164
    fields: dict  # first_name, last_name, language, attributes (those given)


@dataclass
class PhoneCounts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    subscribed: int = 0
    left_out: list[int] | None = None  # indexes past the plan's contact limit


def apply(session, rows: list[PhoneRow], mlist: MailingList | None, *, legal_basis: str,
          source: str, actor: str) -> PhoneCounts:
    """Upsert the rows by phone (each number once; the caller dropped repeats)."""
    counts = PhoneCounts(left_out=[])
    sms_list = mlist is not None and Channel.SMS in (mlist.channels or "").split(",")
    for row in rows:
        contact = session.scalar(select(Contact).where(Contact.phone == row.phone)
                                 .order_by(Contact.id).limit(1))
        if contact is None:
            if is_suppressed(session, row.phone):
                counts.skipped += 1
                continue
            if limits.remaining(session, "contacts") == 0:
                counts.left_out.append(row.index)
                continue
            contact = integration.create(session, {"phone": row.phone, **row.fields}, actor)
            if mlist is not None and "language" not in row.fields:
                contact.language = mlist.language
            counts.created += 1
        elif contact.status != ContactStatus.ACTIVE:
            counts.skipped += 1
            continue
        else:
            integration.update(session, contact.id, row.fields, actor)
            counts.updated += 1
        if sms_list and _may_subscribe(session, contact.id, mlist.id):
            integration.subscribe(session, contact.id, mlist.id, channel=Channel.SMS,
                                  legal_basis=legal_basis, source=source)
            counts.subscribed += 1
    return counts


def _may_subscribe(session, contact_id: int, list_id: int) -> bool:
    """Not yet confirmed on the list's SMS channel, and never left it."""
    status = session.scalar(select(Subscription.status).where(
        Subscription.contact_id == contact_id, Subscription.list_id == list_id,
        Subscription.channel == Channel.SMS))
    return status not in (SubscriptionStatus.CONFIRMED, SubscriptionStatus.UNSUBSCRIBED)
