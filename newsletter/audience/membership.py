"""Editors adding and removing many contacts to and from a list at once (the contacts
page's bulk actions). Adding never brings back someone who left: inactive, archived,
bounced or erased contacts, and contacts who unsubscribed from that list, are skipped.
Removing ends the subscription as an unsubscribe does (recorded, and an import does not
add the contact back)."""

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select

from newsletter.errors import DomainError
from newsletter.models import (
    BulkAction,
    Channel,
    ConsentRecord,
    Contact,
    ContactStatus,
    LegalBasis,
    MailingList,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from newsletter.platform import audit

from .lists import add_contact_to_list


@dataclass(frozen=True)
class Outcome:
    changed: int
    skipped: int


def _list(session, list_id: int | None) -> MailingList:
    mlist = session.get(MailingList, list_id) if list_id else None
    if mlist is None:
        raise DomainError(gettext("Choose the list."))
    return mlist


def _record(session, actor: str, action: str, mlist: MailingList, count: int) -> None:
    if count > 1:
        session.add(BulkAction(actor=actor, action=action, count=count))
        audit.record(session, actor, f"contacts.{action}", f"{count} contacts", mlist.name)
    session.flush()


def add_to_list(session, ids: list[int], list_id: int | None, actor: str,
                legal_basis: str = LegalBasis.CONSENT) -> Outcome:
    """Subscribe the contacts (confirmed: the editor vouches for ``legal_basis``, recorded
    as consent evidence)."""
    mlist = _list(session, list_id)
    if legal_basis not in LegalBasis.ALL:
        raise DomainError(gettext("Unknown legal basis %(basis)s.", basis=repr(legal_basis)))
    left = set(session.scalars(select(Subscription.contact_id).where(
        Subscription.list_id == mlist.id, Subscription.channel == Channel.EMAIL,
        Subscription.status == SubscriptionStatus.UNSUBSCRIBED,
        Subscription.contact_id.in_(ids))))
    contacts = session.scalars(select(Contact).where(Contact.id.in_(ids)))
    changed = 0
    for contact in contacts:
        if contact.status != ContactStatus.ACTIVE or not contact.email or contact.id in left:
            continue
        add_contact_to_list(session, mlist.id, contact.email, legal_basis=legal_basis,
                            source=f"added to the list by {actor}")
        changed += 1
    _record(session, actor, "add_to_list", mlist, changed)
    return Outcome(changed, len(set(ids)) - changed)


def remove_from_list(session, ids: list[int], list_id: int | None, actor: str) -> Outcome:
    mlist = _list(session, list_id)
    subs = list(session.scalars(select(Subscription).where(
        Subscription.list_id == mlist.id, Subscription.contact_id.in_(ids),
        Subscription.status != SubscriptionStatus.UNSUBSCRIBED)))
    now = utcnow()
    for sub in subs:
        sub.status, sub.unsubscribed_at = SubscriptionStatus.UNSUBSCRIBED, now
        session.add(ConsentRecord(contact_id=sub.contact_id, list_id=mlist.id,
                                  channel=sub.channel, action="withdrawn",
                                  legal_basis=LegalBasis.CONSENT,
                                  source=f"removed from the list by {actor}"))
    _record(session, actor, "remove_from_list", mlist, len(subs))
    return Outcome(len(subs), len(set(ids)) - len({s.contact_id for s in subs}))
