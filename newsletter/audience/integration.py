"""Contacts and subscriptions as integrators change them (the JSON API): create, partial
update, upsert by e-mail (or phone when there is no e-mail), subscribe with a stated legal
basis and unsubscribe, each with its consent record and history.

Rules kept from the forms: an erased or otherwise suppressed address is not created again;
a contact that is not active is never made active again here (only the subscriber's own
consent does that, seed 004)."""

from sqlalchemy import select

from newsletter.models import (
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
from newsletter.platform import limits
from newsletter.webhooks import events, payloads
from newsletter.webhooks import outbox as webhooks

from . import contacts, history
from .addresses import InvalidAddress, normalize_email
from .contacts import ContactError
from .suppression import is_suppressed

#: the fields an integrator may set (besides attributes and status)
FIELDS = ("email", "phone", "first_name", "last_name", "language", "organization_id",
          "branch_id", "person_id")


class NotFound(ContactError):
    """The contact or list named does not exist."""


def get_contact(session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("That contact does not exist.")
    return contact


def _list(session, list_id: int) -> MailingList:
    mlist = session.get(MailingList, list_id)
    if mlist is None:
        raise NotFound("That list does not exist.", "list_id")
    return mlist


def _email(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalize_email(value)
    except InvalidAddress as exc:
        raise ContactError(str(exc), "email") from None


def find(session, email: str | None, phone: str | None) -> Contact | None:
    """The contact with this e-mail address, or with this phone number when there is no
    e-mail (the oldest, when several share it)."""
    if address := _email(email):
        return session.scalar(select(Contact).where(Contact.email == address))
    if number := contacts.clean_phone(phone or ""):
        return session.scalar(select(Contact).where(Contact.phone == number)
                              .order_by(Contact.id).limit(1))
    raise ContactError("Give an e-mail address or a phone number.", "email")


def create(session, fields: dict, actor: str) -> Contact:
    """A new active contact; the address must be new and not suppressed."""
    email, phone = _email(fields.get("email")), contacts.clean_phone(fields.get("phone") or "")
    if not email and not phone:
        raise ContactError("Give an e-mail address or a phone number.", "email")
    for field, address in (("email", email), ("phone", phone)):
        if address and is_suppressed(session, address):
            raise ContactError("This address was erased or asked never to be contacted; "
                               "it cannot be added again.", field)
    if email and session.scalar(select(Contact.id).where(Contact.email == email)):
        raise ContactError(f"{email} already belongs to another contact.", "email")
    limits.check(session, "contacts")
    contact = Contact(email=email, phone=phone, language="en",
                      attributes=fields.get("attributes") or {})
    session.add(contact)
    session.flush()
    update(session, contact.id, {k: v for k, v in fields.items() if k != "attributes"},
           actor)
    return contact


def update(session, contact_id: int, fields: dict, actor: str) -> Contact:
    """Change only the fields given (None clears a field); attributes are merged."""
    contact = get_contact(session, contact_id)
    current = {name: getattr(contact, name) for name in FIELDS}
    current.update({k: v for k, v in fields.items() if k in FIELDS})
    if "status" in fields and fields["status"] != contact.status:
        if fields["status"] == ContactStatus.ACTIVE:  # only the subscriber's own consent
            raise ContactError("A contact that is not active is made active again only by "
                               "its own signup.", "status")
        current["status"] = fields["status"]
    contacts.update(session, contact_id, current, actor)
    if fields.get("attributes"):
        history.update_contact(session, contact,
                               {"attributes": {**contact.attributes, **fields["attributes"]}},
                               actor)
    return contact


def upsert(session, fields: dict, actor: str) -> tuple[Contact, bool]:
    """Update the contact with this e-mail (or phone), or create it. Returns the contact
    and whether it was created."""
    contact = find(session, fields.get("email"), fields.get("phone"))
    if contact is None:
        return create(session, fields, actor), True
    if contact.status == ContactStatus.ERASED:
        raise ContactError("An erased contact cannot be edited.", "email")
    return update(session, contact.id, fields, actor), False


def subscriptions_of(session, contact_id: int) -> list[Subscription]:
    get_contact(session, contact_id)
    return list(session.scalars(select(Subscription).where(
        Subscription.contact_id == contact_id).order_by(Subscription.id)))


def consents_of(session, contact_id: int, limit: int = 500) -> list[ConsentRecord]:
    get_contact(session, contact_id)
    return list(session.scalars(select(ConsentRecord).where(
        ConsentRecord.contact_id == contact_id).order_by(ConsentRecord.id.desc())
        .limit(limit)))


def subscribe(session, contact_id: int, list_id: int, *, channel: str = Channel.EMAIL,
              legal_basis: str = LegalBasis.CONSENT, source: str) -> Subscription:
    """A confirmed subscription on the integrator's word, with the legal basis recorded."""
    contact, mlist = get_contact(session, contact_id), _list(session, list_id)
    if contact.status != ContactStatus.ACTIVE:
        raise ContactError("Only an active contact can be subscribed; an inactive one "
                           "comes back only by its own signup.", "contact_id")
    if channel not in (mlist.channels or Channel.EMAIL).split(","):
        raise ContactError(f"The list does not offer the channel {channel}.", "channel")
    if not (contact.email if channel == Channel.EMAIL else contact.phone):
        raise ContactError(f"The contact has no address for the channel {channel}.",
                           "channel")
    sub = session.scalar(select(Subscription).where(
        Subscription.contact_id == contact_id, Subscription.list_id == list_id,
        Subscription.channel == channel))
    if sub is None:
        sub = Subscription(contact_id=contact_id, list_id=list_id, channel=channel)
        session.add(sub)
    if sub.status != SubscriptionStatus.CONFIRMED:
        sub.status, sub.confirmed_at, sub.unsubscribed_at = (
            SubscriptionStatus.CONFIRMED, utcnow(), None)
        session.add(ConsentRecord(contact_id=contact_id, list_id=list_id, channel=channel,
                                  action="granted", legal_basis=legal_basis,
                                  source=source[:200]))
        session.flush()
        webhooks.emit(session, events.SUBSCRIBED, payloads.subscription(sub, source[:200]))
    session.flush()
    return sub


def unsubscribe(session, contact_id: int, list_id: int, *, channel: str = Channel.EMAIL,
                source: str) -> Subscription:
    """End one subscription and record the withdrawal."""
    get_contact(session, contact_id)
    _list(session, list_id)
    sub = session.scalar(select(Subscription).where(
        Subscription.contact_id == contact_id, Subscription.list_id == list_id,
        Subscription.channel == channel))
    if sub is None:
        raise NotFound("The contact is not on that list for that channel.", "list_id")
    if sub.status != SubscriptionStatus.UNSUBSCRIBED:
        sub.status, sub.unsubscribed_at = SubscriptionStatus.UNSUBSCRIBED, utcnow()
        session.add(ConsentRecord(contact_id=contact_id, list_id=list_id, channel=channel,
                                  action="withdrawn", source=source[:200]))
        session.flush()
        webhooks.emit(session, events.UNSUBSCRIBED, payloads.subscription(sub, source[:200]))
    session.flush()
    return sub
