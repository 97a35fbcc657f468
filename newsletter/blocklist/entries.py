"""Block-list entries: what an editor (or a CSV row) says, resolved to organizations,
branches and persons by reference (``#id``, registration number or name), validated,
saved, searched and deleted. Matching is in ``matching``."""

from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import (
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased, selectinload

from newsletter.audience.addresses import InvalidAddress, normalize_email, normalize_phone
from newsletter.errors import DomainError
from newsletter.models import (
    BlocklistChannel,
    BlocklistEntry,
    Branch,
    Channel,
    Contact,
    Organization,
    Person,
)

#: the recipient-row fields an entry may fill
FIELDS = ("organization_id", "branch_id", "person_id", "email", "phone")
PAGE_SIZE = 50


class BlocklistError(DomainError):
    pass


class EntryInvalid(BlocklistError):
    """Bad entry data; ``errors`` maps a field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# --- references to organizations, branches and persons -----------------------------------
def resolve_organization(session, ref: str) -> Organization:
    """An organization by ``#id``, registration number or exact name (case-insensitive)."""
    ref = ref.strip()
    if ref.startswith("#") and ref[1:].isdigit():
        found = session.get(Organization, int(ref[1:]))
        if found is None:
            raise BlocklistError(gettext("There is no organization %(ref)s.", ref=ref))
        return found
    by_reg = list(session.scalars(
        select(Organization).where(Organization.registration_no == ref).limit(2)))
    if len(by_reg) == 1:
        return by_reg[0]
    by_name = list(session.scalars(
        select(Organization).where(_same_text(Organization.name, ref)).limit(2)))
    return _one(by_name or by_reg, ref,
                gettext("No organization is called %(ref)s.", ref=repr(ref)),
                gettext("More than one organization matches %(ref)s; use its registration "
                        "number or #id.", ref=repr(ref)))


def resolve_branch(session, ref: str, organization: Organization | None) -> Branch:
    """A branch by ``#id`` or name (within ``organization`` when one is given)."""
    ref = ref.strip()
    if ref.startswith("#") and ref[1:].isdigit():
        found = session.get(Branch, int(ref[1:]))
        if found is None:
            raise BlocklistError(gettext("There is no branch %(ref)s.", ref=ref))
    else:
        stmt = select(Branch).where(_same_text(Branch.name, ref)).limit(2)
        if organization is not None:
            stmt = stmt.where(Branch.organization_id == organization.id)
        found = _one(list(session.scalars(stmt)), ref,
                     gettext("No branch is called %(ref)s.", ref=repr(ref)),
                     gettext("More than one branch matches %(ref)s; name its organization "
                             "too, or use #id.", ref=repr(ref)))
    if organization is not None and found.organization_id != organization.id:
        raise BlocklistError(gettext(
            "Branch %(branch)s belongs to %(organization)s, not to %(other)s.",
            branch=repr(found.name), organization=repr(found.organization.name),
            other=repr(organization.name)))
    return found


def resolve_person(session, ref: str) -> Person:
    """A person by ``#id`` or full name ("First Last", case-insensitive)."""
    ref = " ".join(ref.split())
    if ref.startswith("#") and ref[1:].isdigit():
        found = session.get(Person, int(ref[1:]))
        if found is None:
            raise BlocklistError(gettext("There is no person %(ref)s.", ref=ref))
        return found
    full = func.trim(func.coalesce(Person.first_name, "") + " " +
                     func.coalesce(Person.last_name, ""))
    found = list(session.scalars(
        select(Person).where(_same_text(full, ref)).limit(2)))
    return _one(found, ref, gettext("No person is called %(ref)s.", ref=repr(ref)),
                gettext("More than one person matches %(ref)s; use #id.", ref=repr(ref)))


def _same_text(column, value: str):
    """Equal ignoring case (SQLite's lower() folds only ASCII, so also as typed)."""
    return or_(column == value, func.lower(column) == value.lower())


def _one(found: list, ref: str, none: str, several: str):
    """The one row found; else BlocklistError saying ``none`` or ``several``."""
    if not found:
        raise BlocklistError(none)
    if len(found) > 1:
        raise BlocklistError(several)
    return found[0]


def reference(obj) -> str:
    """How an organization, branch or person is written in the form and in CSV files."""
    if isinstance(obj, Organization):
        return obj.registration_no or obj.name
    return obj.name


# --- entries ------------------------------------------------------------------------------
@dataclass
class EntryData:
    """What an editor (or a CSV row) says about an entry, as typed."""

    organization: str = ""
    branch: str = ""
    person: str = ""
    email: str = ""
    phone: str = ""
    channels: list[str] = field(default_factory=list)
    note: str = ""


def resolve_fields(session, data: EntryData) -> dict:
    """Field values for an entry, or EntryInvalid naming every bad field."""
    errors: dict[str, str] = {}
    values: dict = {"organization_id": None, "branch_id": None, "person_id": None,
                    "email": None, "phone": None}

    def attempt(name, fn):
        try:
            return fn()
        except (BlocklistError, InvalidAddress) as exc:
            errors[name] = str(exc)
            return None

    org = attempt("organization", lambda: resolve_organization(session, data.organization)
                  ) if data.organization.strip() else None
    values["organization_id"] = org.id if org else None
    if data.branch.strip() and "organization" not in errors:
        branch = attempt("branch", lambda: resolve_branch(session, data.branch, org))
        values["branch_id"] = branch.id if branch else None
    if data.person.strip():
        person = attempt("person", lambda: resolve_person(session, data.person))
        values["person_id"] = person.id if person else None
    if data.email.strip():
        values["email"] = attempt("email", lambda: normalize_email(data.email))
    if data.phone.strip():
        values["phone"] = attempt("phone", lambda: normalize_phone(data.phone))
    unknown = sorted(set(data.channels) - set(Channel.ALL))
    if unknown:
        errors["channels"] = gettext("Unknown channel %(channels)s.",
                                     channels=", ".join(unknown))
    elif not data.channels:
        errors["channels"] = gettext("Choose at least one channel to forbid.")
    if not errors and not any(values.values()):
        errors["organization"] = gettext("Fill at least one of organization, branch, person, "
                                         "e-mail or phone.")
    if errors:
        raise EntryInvalid(errors)
    return values


def save_entry(session, entry_id: int | None, data: EntryData,
               created_by_id: int | None = None) -> BlocklistEntry:
    """Create an entry, or change one; raises EntryInvalid with per-field messages."""
    values = resolve_fields(session, data)
    if entry_id is None:
        entry = BlocklistEntry(created_by_id=created_by_id)
        session.add(entry)
    else:
        entry = get_entry(session, entry_id)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.note = data.note.strip()
    wanted = set(data.channels)
    entry.channels = [c for c in entry.channels if c.channel in wanted] + [
        BlocklistChannel(channel=c) for c in sorted(wanted - {c.channel for c in entry.channels})
    ]
    session.flush()
    return entry


def block_contacts(session, contact_ids: list[int], created_by_id: int | None,
                   actor: str) -> int:
    """A block-list entry for each contact's e-mail address, on every channel (the
    contacts page's "Block" bulk action). Addresses already blocked on their own are
    skipped. Returns how many entries were made."""
    contacts = session.scalars(select(Contact).where(
        Contact.id.in_(contact_ids), Contact.email.is_not(None)))
    made = 0
    for contact in contacts:
        if session.scalar(select(BlocklistEntry.id).where(
                BlocklistEntry.email == contact.email, BlocklistEntry.organization_id.is_(None),
                BlocklistEntry.branch_id.is_(None), BlocklistEntry.person_id.is_(None))):
            continue
        save_entry(session, None, EntryData(email=contact.email, channels=list(Channel.ALL),
                                            note=f"blocked from the contacts page by {actor}"),
                   created_by_id)
        made += 1
    return made


def get_entry(session, entry_id: int) -> BlocklistEntry:
    entry = session.get(BlocklistEntry, entry_id)
    if entry is None:
        raise BlocklistError(gettext("That block-list entry does not exist."))
    return entry


def entry_data(entry: BlocklistEntry) -> EntryData:
    """An entry written back the way an editor types it (edit form, CSV export)."""
    return EntryData(
        organization=reference(entry.organization) if entry.organization else "",
        branch=reference(entry.branch) if entry.branch else "",
        person=reference(entry.person) if entry.person else "",
        email=entry.email or "", phone=entry.phone or "",
        channels=sorted(c.channel for c in entry.channels), note=entry.note,
    )


def delete_entry(session, entry_id: int) -> None:
    """Remove an entry; deliveries it blocked stay blocked (their reason becomes unknown)."""
    session.delete(get_entry(session, entry_id))
    session.flush()


def search_entries(session, query: str = "", channel: str = "", page: int = 1,
                   page_size: int = PAGE_SIZE) -> tuple[list[BlocklistEntry], int, int]:
    """Entries whose e-mail, phone, note or organization/branch/person name contains
    ``query``, optionally only those forbidding ``channel``: one page, its number and the
    number of pages."""
    stmt = select(BlocklistEntry)
    if query.strip():
        typed = f"%{query.strip()}%"
        org, branch, person = aliased(Organization), aliased(Branch), aliased(Person)
        full = (func.coalesce(person.first_name, "") + " " +
                func.coalesce(person.last_name, ""))
        stmt = (
            stmt.outerjoin(org, org.id == BlocklistEntry.organization_id)
            .outerjoin(branch, branch.id == BlocklistEntry.branch_id)
            .outerjoin(person, person.id == BlocklistEntry.person_id)
            .where(or_(*(_contains(col, typed) for col in (
                BlocklistEntry.email, BlocklistEntry.phone, BlocklistEntry.note, org.name,
                org.registration_no, branch.name, full))))
        )
    if channel:
        stmt = stmt.where(BlocklistEntry.channels.any(BlocklistChannel.channel == channel))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    entries = session.scalars(
        stmt.options(*entry_loads()).order_by(BlocklistEntry.id.desc())
        .limit(page_size).offset((page - 1) * page_size)
    )
    return list(entries), page, pages


def _contains(column, pattern: str):
    """LIKE ignoring case on both backends (SQLite's lower() folds only ASCII)."""
    return or_(column.like(pattern), func.lower(column).like(pattern.lower()))


def entry_loads():
    return (selectinload(BlocklistEntry.channels), selectinload(BlocklistEntry.organization),
            selectinload(BlocklistEntry.branch), selectinload(BlocklistEntry.person),
            selectinload(BlocklistEntry.created_by))
