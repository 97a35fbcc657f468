"""Taking contacts out of circulation, from gentlest to final (seed 004):

- unsubscribe: every subscription ends, consent withdrawal is recorded, the contact becomes
  inactive (kept with its history, never re-imported as active);
- archive: the contact is set aside (nothing is sent), subscriptions are kept;
- erase: personal data is removed; only a keyed hash (HMAC) of the address stays in the
  suppression list, so the address cannot be imported again.

Every bulk action is logged; erasing many contacts repeatedly draws a warning."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update

from newsletter.models import (
    BulkAction,
    ConsentRecord,
    Contact,
    ContactChange,
    ContactStatus,
    Delivery,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from newsletter.platform import audit
from newsletter.webhooks import events, payloads
from newsletter.webhooks import outbox as webhooks

from . import history
from .suppression import Reason, suppress

MASS_DELETION = 10  # erasing this many contacts at once is a mass deletion
WINDOW = timedelta(hours=24)
ACTIONS = ("unsubscribe", "archive", "erase")


@dataclass(frozen=True)
class DeletionWarning:
    count: int  # contacts about to be erased
    mass: bool
    recent: list[BulkAction]  # earlier mass deletions within the window


def _contacts(session, ids: list[int]) -> list[Contact]:
    return list(session.scalars(select(Contact).where(
        Contact.id.in_(ids), Contact.status != ContactStatus.ERASED)))


def deletion_warning(session, ids: list[int]) -> DeletionWarning:
    """What the editor is told before erasing: how many, and earlier mass deletions."""
    count = len(_contacts(session, ids))
    recent = list(session.scalars(
        select(BulkAction).where(BulkAction.action == "erase",
                                 BulkAction.count >= MASS_DELETION,
                                 BulkAction.created_at >= utcnow() - WINDOW)
        .order_by(BulkAction.id.desc())))
    return DeletionWarning(count, count >= MASS_DELETION, recent)


def apply(session, action: str, ids: list[int], actor: str) -> int:
    """Run one of ACTIONS on the contacts; returns how many were changed."""
    handler = {"unsubscribe": unsubscribe, "archive": archive, "erase": erase}[action]
    count = handler(session, ids, actor)
    if count > 1:
        session.add(BulkAction(actor=actor, action=action, count=count))
        session.flush()
    if count > 1 or (count and action == "erase"):  # every erasure, mass actions
        audit.record(session, actor, f"contacts.{action}", f"{count} contacts",
                     "mass deletion" if action == "erase" and count >= MASS_DELETION else "")
    return count


def unsubscribe(session, ids: list[int], actor: str) -> int:
    now = utcnow()
    contacts = _contacts(session, ids)
    hooks = webhooks.endpoints_for(session, events.UNSUBSCRIBED)  # asked once, not per row
    for contact in contacts:
        subs = session.scalars(select(Subscription).where(
            Subscription.contact_id == contact.id,
            Subscription.status != SubscriptionStatus.UNSUBSCRIBED))
        for sub in subs:
            sub.status, sub.unsubscribed_at = SubscriptionStatus.UNSUBSCRIBED, now
            session.add(ConsentRecord(contact_id=contact.id, list_id=sub.list_id,
                                      channel=sub.channel, action="withdrawn",
                                      legal_basis="consent", source=f"unsubscribed by {actor}"))
            if hooks:
                webhooks.emit(session, events.UNSUBSCRIBED, payloads.subscription(
                    sub, f"unsubscribed by {actor}"), endpoint_ids=hooks)
        history.update_contact(session, contact, {"status": ContactStatus.INACTIVE}, actor)
    return len(contacts)


def archive(session, ids: list[int], actor: str) -> int:
    contacts = _contacts(session, ids)
    for contact in contacts:
        history.update_contact(session, contact, {"status": ContactStatus.ARCHIVED}, actor)
    return len(contacts)


def erase(session, ids: list[int], actor: str) -> int:
    """Remove personal data for good; deliveries stay as anonymous statistics."""
    contacts = _contacts(session, ids)
    for contact in contacts:
        for address in (contact.email, contact.phone):
            if address:
                suppress(session, address, Reason.ERASED)
    ids = [c.id for c in contacts]
    if not ids:
        return 0
    session.execute(delete(ContactChange).where(ContactChange.contact_id.in_(ids)))
    session.execute(delete(ConsentRecord).where(ConsentRecord.contact_id.in_(ids)))
    session.execute(delete(Subscription).where(Subscription.contact_id.in_(ids)))
    for contact in contacts:
        session.execute(update(Delivery).where(Delivery.contact_id == contact.id)
                        .values(address=f"erased-{contact.id}"))
        previous = contact.status
        contact.email = contact.phone = contact.first_name = contact.last_name = None
        contact.attributes, contact.status = {}, ContactStatus.ERASED
        contact.profile_code_hash = contact.profile_salt = None
        contact.organization_id = contact.branch_id = contact.person_id = None
        session.add(ContactChange(contact_id=contact.id, field="status", old_value=previous,
                                  new_value=ContactStatus.ERASED, actor=actor))
    session.flush()
    return len(contacts)
