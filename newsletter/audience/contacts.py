"""Contacts for editors: search with keyset pagination (fast at a million rows), the detail
page's data, and editing with history. Organizations, branches and persons are in
``organizations``."""

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import exists, func, or_, select

from newsletter.errors import DomainError
from newsletter.models import (
    Branch,
    Campaign,
    ConsentRecord,
    Contact,
    ContactStatus,
    Delivery,
    MailingList,
    Organization,
    Person,
    PhoneKind,
    Subscription,
)
from newsletter.models.base import unicode_lower

from . import history, phones
from .addresses import (
    InvalidAddress,
    InvalidName,
    clean_name,
    is_language,
    normalize_email,
    normalize_phone,
)

PAGE_SIZE = 50


class ContactError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ContactFilter:
    q: str = ""
    list_id: int | None = None
    status: str = ""
    language: str = ""
    #: contacts with granted consent evidence on this legal basis
    basis: str = ""
    #: a field (first_name, last_name, language, phone or an attribute from an import)
    #: equal to ``value`` (case-insensitive)
    field: str = ""
    value: str = ""
    ids: tuple[int, ...] | None = None  # only these (the selected ones)

    def where(self) -> list:
        """SQL conditions on Contact for this filter (shared by search and export)."""
        conditions = []
        q = self.q.strip()
        exact = _exact(q)
        if exact is not None:  # a whole address or phone number: an index lookup
            conditions.append(exact)
        elif q:
            like = f"%{q.lower()}%"
            org_ids = select(Organization.id).where(Organization.name.ilike(like))
            conditions.append(or_(
                Contact.email.like(like), Contact.first_name.ilike(like),
                Contact.last_name.ilike(like),
                Contact.phone.like(f"%{q.replace(' ', '')}%"),
                Contact.organization_id.in_(org_ids)))
        if self.list_id:
            conditions.append(exists().where(Subscription.contact_id == Contact.id,
                                             Subscription.list_id == self.list_id))
        if self.status:
            conditions.append(Contact.status == self.status)
        if self.language:
            conditions.append(Contact.language == self.language.lower())
        if self.basis:
            conditions.append(exists().where(ConsentRecord.contact_id == Contact.id,
                                             ConsentRecord.action == "granted",
                                             ConsentRecord.legal_basis == self.basis))
        if self.field.strip():
            conditions.append(_field_equals(self.field.strip(), self.value.strip()))
        if self.ids is not None:
            conditions.append(Contact.id.in_(self.ids))
        return conditions


#: contact columns the field filter may name; any other name is an imported attribute
FIELD_COLUMNS = {"first_name": Contact.first_name, "last_name": Contact.last_name,
                 "language": Contact.language, "phone": Contact.phone}


def _field_equals(name: str, value: str):
    column = FIELD_COLUMNS.get(name.lower())
    if column is None:
        column = Contact.attributes[name].as_string()
    if not value:  # "field is empty"
        return or_(column.is_(None), column == "")
    return unicode_lower(column) == value.lower()


def count(session, flt: ContactFilter) -> int:
    """How many contacts match (the whole search, not one page)."""
    return session.scalar(select(func.count()).select_from(Contact).where(*flt.where())) or 0


def matching_ids(session, flt: ContactFilter) -> list[int]:
    """Every contact matching (for "all N matching" bulk actions)."""
    return list(session.scalars(select(Contact.id).where(*flt.where()).order_by(Contact.id)))


def _exact(q: str):
    if "@" in q:
        try:
            return Contact.email == normalize_email(q)
        except InvalidAddress:
            return None
    if q.startswith("+"):
        try:
            return Contact.phone == normalize_phone(q)
        except InvalidAddress:
            return None
    return None


def search(session, flt: ContactFilter, before: int | None = None,
           limit: int = PAGE_SIZE) -> tuple[list[Contact], int | None]:
    """One page of contacts, newest first, after the keyset ``before`` (a contact id).
    Returns the page and the keyset of the next page (None on the last)."""
    query = select(Contact).where(*flt.where()).order_by(Contact.id.desc()).limit(limit + 1)
    if before:
        query = query.where(Contact.id < before)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


def get_contact(session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ContactError(gettext("That contact does not exist."))
    return contact


def detail(session, contact_id: int) -> dict:
    """Everything the contact page shows: subscriptions, consent records, messages
    received and the history of data changes."""
    contact = get_contact(session, contact_id)
    subscriptions = session.execute(
        select(Subscription, MailingList).join(MailingList)
        .where(Subscription.contact_id == contact_id).order_by(MailingList.name)).all()
    consents = session.execute(
        select(ConsentRecord, MailingList.name)
        .outerjoin(MailingList, MailingList.id == ConsentRecord.list_id)
        .where(ConsentRecord.contact_id == contact_id)
        .order_by(ConsentRecord.id.desc()).limit(200)).all()
    deliveries = session.execute(
        select(Delivery, Campaign.name).join(Campaign, Campaign.id == Delivery.campaign_id)
        .where(Delivery.contact_id == contact_id)
        .order_by(Delivery.id.desc()).limit(200)).all()
    return {"contact": contact, "subscriptions": subscriptions, "consents": consents,
            "deliveries": deliveries, "changes": history.changes_for(session, contact_id),
            "phones": phones.phones_of(session, contact_id)}


def update(session, contact_id: int, fields: dict, actor: str) -> list:
    """Edit a contact's data; every changed field lands in the history with the actor."""
    contact = get_contact(session, contact_id)
    if contact.status == ContactStatus.ERASED:
        raise ContactError(gettext("An erased contact cannot be edited."))
    changes = {
        # a contact reached by phone only may stay without an address; one cannot be removed
        "email": (_email(session, contact, fields.get("email") or "")
                  if fields.get("email") or contact.email else None),
        "phone": clean_phone(fields.get("phone") or ""),
        "first_name": name_field(fields.get("first_name"), "first_name",
                                 gettext("The first name")),
        "last_name": name_field(fields.get("last_name"), "last_name", gettext("The last name")),
        "language": _language(fields.get("language") or contact.language),
    }
    changes.update(_affiliation(session, fields.get("organization_id"),
                                fields.get("branch_id"), fields.get("person_id")))
    if "status" in fields:
        if fields["status"] not in (ContactStatus.ACTIVE, ContactStatus.INACTIVE,
                                    ContactStatus.ARCHIVED):
            raise ContactError(gettext("An editor can set a contact active, inactive or "
                                       "archived."), "status")
        changes["status"] = fields["status"]
    typed = {kind: fields[phones.field_name(kind)] for kind in PhoneKind.TYPED
             if phones.field_name(kind) in fields}
    try:
        typed_changes = phones.set_phones(session, contact_id, typed, actor)
    except InvalidAddress as exc:
        raise ContactError(str(exc).capitalize(), exc.field) from None
    return history.update_contact(session, contact, changes, actor=actor) + typed_changes


def _email(session, contact: Contact, value: str) -> str:
    try:
        address = normalize_email(value)
    except InvalidAddress as exc:
        raise ContactError(str(exc), "email") from None
    taken = session.scalar(select(Contact.id).where(Contact.email == address,
                                                    Contact.id != contact.id))
    if taken:
        raise ContactError(gettext("%(address)s already belongs to another contact.",
                                   address=address), "email")
    return address


def name_field(value: str | None, field: str, what: str | None = None) -> str | None:
    """A name typed into a form (addresses.clean_name), as a ContactError on ``field``."""
    try:
        return clean_name(value, what or gettext("The name"))
    except InvalidName as exc:
        raise ContactError(str(exc), field) from None


def clean_phone(value: str) -> str | None:
    """A phone field as typed: empty is None, else E.164 or a ContactError."""
    if not value.strip():
        return None
    try:
        return normalize_phone(value.strip())
    except InvalidAddress as exc:
        raise ContactError(str(exc).capitalize(), "phone") from None


def _language(value: str) -> str:
    value = value.strip().lower()
    if not is_language(value):
        raise ContactError(gettext("Use a language code like “sk” or “cs”."), "language")
    return value


def _affiliation(session, organization_id, branch_id, person_id) -> dict:
    """Organization, branch (implies its organization) and person, checked to exist."""
    branch = session.get(Branch, branch_id) if branch_id else None
    if branch_id and branch is None:
        raise ContactError(gettext("That branch does not exist."), "branch_id")
    if branch is not None:
        if organization_id and int(organization_id) != branch.organization_id:
            raise ContactError(gettext("The branch belongs to another organization."),
                               "branch_id")
        organization_id = branch.organization_id
    if organization_id and session.get(Organization, organization_id) is None:
        raise ContactError(gettext("That organization does not exist."), "organization_id")
    if person_id and session.get(Person, person_id) is None:
        raise ContactError(gettext("That person does not exist."), "person_id")
    return {"organization_id": int(organization_id) if organization_id else None,
            "branch_id": branch.id if branch else None,
            "person_id": int(person_id) if person_id else None}


