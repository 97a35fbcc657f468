"""Mailing lists: creating and editing them, adding a contact by hand, the overview and
the members."""

import secrets

from flask_babel import gettext
from sqlalchemy import func, select

from newsletter.errors import DomainError
from newsletter.models import (
    Channel,
    ConsentRecord,
    Contact,
    LegalBasis,
    MailingList,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from newsletter.platform import limits

from .addresses import InvalidName, clean_name, normalize_email


def list_name(name: str) -> str:
    """A list's name: required, one line (it is in the List-Id header and subjects)."""
    try:
        name = clean_name(name, gettext("A list's name"), max_length=200) or ""
    except InvalidName as exc:
        raise DomainError(str(exc)) from None
    if not name:
        raise DomainError(gettext("A list needs a name."))
    return name


def create_list(session, name: str, description: str = "", **fields) -> MailingList:
    mlist = MailingList(
        name=list_name(name), description=description, key=secrets.token_urlsafe(9), **fields
    )
    session.add(mlist)
    session.flush()
    return mlist


def update_list(session, list_id: int, name: str, description: str = "",
                **fields) -> MailingList:
    mlist = session.get(MailingList, list_id)
    if mlist is None:
        raise DomainError(gettext("That list does not exist."))
    mlist.name, mlist.description = list_name(name), description
    for key, value in fields.items():
        setattr(mlist, key, value)
    session.flush()
    return mlist


def add_contact_to_list(session, list_id: int, email: str, *, first_name: str = "",
                        last_name: str = "", legal_basis: str = LegalBasis.CONSENT,
                        source: str = "added by an editor") -> Contact:
    """Add (or find) a contact and subscribe it, confirmed, to the list's e-mail channel.
    An editor adding a person vouches for the legal basis, recorded as consent evidence."""
    if legal_basis not in LegalBasis.ALL:
        raise DomainError(gettext("Unknown legal basis %(basis)s.", basis=repr(legal_basis)))
    mlist = session.get(MailingList, list_id)
    if mlist is None:
        raise DomainError(gettext("That list does not exist."))
    address = normalize_email(email)
    first = clean_name(first_name, gettext("The first name"))
    last = clean_name(last_name, gettext("The last name"))
    contact = session.scalar(select(Contact).where(Contact.email == address))
    if contact is None:
        limits.check(session, "contacts")
        contact = Contact(email=address, first_name=first, last_name=last,
                          language=mlist.language)
        session.add(contact)
        session.flush()
    sub = session.scalar(select(Subscription).where(
        Subscription.contact_id == contact.id, Subscription.list_id == list_id,
        Subscription.channel == Channel.EMAIL))
    if sub is None:
        sub = Subscription(contact_id=contact.id, list_id=list_id, channel=Channel.EMAIL)
        session.add(sub)
    if sub.status != SubscriptionStatus.CONFIRMED:
        sub.status = SubscriptionStatus.CONFIRMED
        sub.confirmed_at = utcnow()
        sub.unsubscribed_at = None
        session.add(ConsentRecord(contact_id=contact.id, list_id=list_id,
                                  channel=Channel.EMAIL, action="granted",
                                  legal_basis=legal_basis, source=source))
    session.flush()
    return contact


def list_overview(session) -> list[tuple[MailingList, int]]:
    """Every list with its number of confirmed subscribers."""
    counts = (
        select(Subscription.list_id, func.count().label("n"))
        .where(Subscription.status == SubscriptionStatus.CONFIRMED)
        .group_by(Subscription.list_id)
        .subquery()
    )
    rows = session.execute(
        select(MailingList, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.list_id == MailingList.id)
        .order_by(MailingList.name)
    )
    return [(m, n) for m, n in rows]


def list_members(session, list_id: int, limit: int = 100) -> list[tuple[Contact, Subscription]]:
    rows = session.execute(
        select(Contact, Subscription)
        .join(Subscription, Subscription.contact_id == Contact.id)
        .where(Subscription.list_id == list_id)
        .order_by(Subscription.id.desc())
        .limit(limit)
    )
    return [(c, s) for c, s in rows]
