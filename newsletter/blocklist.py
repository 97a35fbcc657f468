"""Block list of forbidden addressees per channel (seed 001).

An entry fills some of a recipient row's fields (organization, branch, person, e-mail,
phone) and names the channels it forbids. It matches a row when every field it fills equals
the row's field and the row's channel is among its channels. A branch implies its
organization, so rows take their organization from their branch when they have none.

Matching is set-based: entries are grouped by *shape* (which fields they fill), and each
shape becomes one equi-join of the rows against the entries of exactly that shape, so the
database can hash-join a million rows against a hundred thousand entries. The lowest
matching entry id is the one reported."""

from dataclasses import dataclass, field

import phonenumbers
from sqlalchemy import (
    Integer,
    String,
    and_,
    cast,
    exists,
    func,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import aliased, selectinload

from . import campaigns
from .audience import InvalidAddress, normalize_email
from .errors import DomainError
from .models import (
    BlocklistChannel,
    BlocklistEntry,
    Branch,
    Campaign,
    Channel,
    Contact,
    Delivery,
    DeliveryState,
    Organization,
    Person,
)

FIELDS = ("organization_id", "branch_id", "person_id", "email", "phone")
PAGE_SIZE = 50


class BlocklistError(DomainError):
    pass


class EntryInvalid(BlocklistError):
    """Bad entry data; ``errors`` maps a field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# --- matching ----------------------------------------------------------------------------
def _shapes(session, channel: str) -> list[tuple[str, ...]]:
    """The distinct combinations of filled fields among entries forbidding ``channel``."""
    filled = [getattr(BlocklistEntry, f).is_not(None).label(f) for f in FIELDS]
    rows = session.execute(
        select(*filled).distinct()
        .join(BlocklistChannel, BlocklistChannel.entry_id == BlocklistEntry.id)
        .where(BlocklistChannel.channel == channel)
    )
    return [tuple(f for f in FIELDS if getattr(row, f)) for row in rows]


def _matches(session, rows, channel: str):
    """(row_id, entry_id) for the lowest-id entry matching each blocked row of ``rows`` (a
    subquery with columns row_id and the five fields), or None when no entry could match."""
    branches, dialect = [], session.get_bind().dialect.name
    for shape in _shapes(session, channel):
        entry = aliased(BlocklistEntry)
        on = [getattr(entry, f) == getattr(rows.c, f) for f in shape]
        on += [_absent(getattr(entry, f), dialect) for f in FIELDS if f not in shape]
        forbids = exists().where(BlocklistChannel.entry_id == entry.id,
                                 BlocklistChannel.channel == channel)
        branches.append(
            select(rows.c.row_id, entry.id.label("entry_id"))
            .join(entry, and_(*on)).where(forbids)
        )
    if not branches:
        return None
    found = union_all(*branches).subquery("found")
    return (
        select(found.c.row_id, func.min(found.c.entry_id).label("entry_id"))
        .group_by(found.c.row_id)
        .subquery("matched")
    )


def _absent(column, dialect: str):
    """``column IS NULL``. On SQLite in a form no index serves (``+ 0``, ``|| ''``): its
    planner would otherwise pick the index of a mostly-NULL column and loop over nearly every
    entry. PostgreSQL keeps the plain form, whose selectivity its statistics know."""
    if dialect == "sqlite":
        column = column.concat("") if isinstance(column.type, String) else column + 0
    return column.is_(None)


def _delivery_rows(campaign: Campaign, delivery_ids: list[int] | None):
    """A campaign's pending deliveries as recipient rows. The address is the row's e-mail
    (or phone, for SMS); the other one comes from the contact behind the delivery."""
    d, branch, contact = aliased(Delivery), aliased(Branch), aliased(Contact)
    is_email = campaign.channel == Channel.EMAIL
    stmt = (
        select(
            d.id.label("row_id"),
            func.coalesce(d.organization_id, branch.organization_id).label("organization_id"),
            d.branch_id.label("branch_id"),
            d.person_id.label("person_id"),
            (d.address if is_email else contact.email).label("email"),
            (contact.phone if is_email else d.address).label("phone"),
        )
        .select_from(d)
        .outerjoin(branch, branch.id == d.branch_id)
        .outerjoin(contact, contact.id == d.contact_id)
        .where(d.campaign_id == campaign.id, d.state.in_(DeliveryState.PENDING))
    )
    if delivery_ids is not None:
        stmt = stmt.where(d.id.in_(delivery_ids))
    return stmt.subquery("rows")


def mark_blocked(session, campaign_id: int, delivery_ids: list[int] | None = None) -> int:
    """Move the campaign's queued/deferred/sending deliveries (optionally only ``delivery_ids``)
    that match the block list to ``blocked``, naming the entry. One UPDATE; returns how many."""
    campaign = campaigns.get_campaign(session, campaign_id)
    if delivery_ids is not None and not delivery_ids:
        return 0
    matched = _matches(session, _delivery_rows(campaign, delivery_ids), campaign.channel)
    if matched is None:
        return 0
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == matched.c.row_id, Delivery.state.in_(DeliveryState.PENDING))
        .values(state=DeliveryState.BLOCKED, blocked_by_id=matched.c.entry_id,
                claimed_by=None, lease_until=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


@dataclass
class RecipientCheck:
    contact_id: int
    address: str
    organization: str | None
    branch: str | None
    person: str | None
    entry: BlocklistEntry | None  # the entry that blocks this recipient, if any


@dataclass
class CheckResult:
    total: int
    blocked: int
    rows: list[RecipientCheck] = field(default_factory=list)
    page: int = 1
    pages: int = 1

    @property
    def reachable(self) -> int:
        return self.total - self.blocked


def check_recipients(session, campaign_id: int, *, blocked_only: bool = False,
                     page: int = 1, page_size: int = PAGE_SIZE) -> CheckResult:
    """Resolve the campaign's recipients as starting it would, without creating deliveries,
    and say for each (one page of them) whether the block list stops it and by which entry."""
    campaign = campaigns.get_campaign(session, campaign_id)
    recipients = campaigns.recipient_rows(campaign).add_columns(
        Contact.email.label("email"), Contact.phone.label("phone")
    ).cte("recipients")  # referenced by every shape: both databases compute it once
    rows = select(
        recipients.c.contact_id.label("row_id"), *(getattr(recipients.c, f) for f in FIELDS)
    ).subquery("rows")
    matched = _matches(session, rows, campaign.channel)
    if matched is None:  # no entry forbids this channel
        entry_id = cast(null(), Integer)
        base = select(recipients, entry_id.label("entry_id"))
    else:
        entry_id = matched.c.entry_id
        base = select(recipients, entry_id).outerjoin(
            matched, matched.c.row_id == recipients.c.contact_id)
    counted = base.subquery("checked")
    total, blocked = session.execute(
        select(func.count(), func.count(counted.c.entry_id)).select_from(counted)).one()
    result = CheckResult(total=total, blocked=blocked)
    if blocked_only:
        base = base.where(entry_id.is_not(None))
    shown = result.blocked if blocked_only else result.total
    result.pages = max(1, -(-shown // page_size))
    result.page = min(max(page, 1), result.pages)
    listed = session.execute(
        base.order_by(recipients.c.address)
        .limit(page_size).offset((result.page - 1) * page_size)
    ).all()
    result.rows = _describe(session, listed)
    return result


def _describe(session, listed) -> list[RecipientCheck]:
    def names(model, ids, *options):
        ids = {i for i in ids if i is not None}
        return {o.id: o for o in session.scalars(
            select(model).where(model.id.in_(ids)).options(*options))}

    orgs = names(Organization, (r.organization_id for r in listed))
    branches = names(Branch, (r.branch_id for r in listed))
    persons = names(Person, (r.person_id for r in listed))
    entries = names(BlocklistEntry, (r.entry_id for r in listed), *entry_loads())
    return [
        RecipientCheck(
            contact_id=r.contact_id, address=r.address,
            organization=orgs[r.organization_id].name if r.organization_id else None,
            branch=branches[r.branch_id].name if r.branch_id else None,
            person=persons[r.person_id].name if r.person_id else None,
            entry=entries.get(r.entry_id),
        )
        for r in listed
    ]


def blocked_deliveries(session, campaign_id: int, limit: int = 200) -> list[Delivery]:
    """The campaign's blocked deliveries with the entries that blocked them."""
    return list(session.scalars(
        select(Delivery)
        .where(Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.BLOCKED)
        .options(selectinload(Delivery.blocked_by).options(*entry_loads()))
        .order_by(Delivery.address)
        .limit(limit)
    ))


# --- references to organizations, branches and persons -----------------------------------
def resolve_organization(session, ref: str) -> Organization:
    """An organization by ``#id``, registration number or exact name (case-insensitive)."""
    ref = ref.strip()
    if ref.startswith("#") and ref[1:].isdigit():
        found = session.get(Organization, int(ref[1:]))
        if found is None:
            raise BlocklistError(f"There is no organization {ref}.")
        return found
    by_reg = list(session.scalars(
        select(Organization).where(Organization.registration_no == ref).limit(2)))
    if len(by_reg) == 1:
        return by_reg[0]
    by_name = list(session.scalars(
        select(Organization).where(_same_text(Organization.name, ref)).limit(2)))
    return _one(by_name or by_reg, "organization", ref,
                "use its registration number or #id")


def resolve_branch(session, ref: str, organization: Organization | None) -> Branch:
    """A branch by ``#id`` or name (within ``organization`` when one is given)."""
    ref = ref.strip()
    if ref.startswith("#") and ref[1:].isdigit():
        found = session.get(Branch, int(ref[1:]))
        if found is None:
            raise BlocklistError(f"There is no branch {ref}.")
    else:
        stmt = select(Branch).where(_same_text(Branch.name, ref)).limit(2)
        if organization is not None:
            stmt = stmt.where(Branch.organization_id == organization.id)
        found = _one(list(session.scalars(stmt)), "branch", ref,
                     "name its organization too, or use #id")
    if organization is not None and found.organization_id != organization.id:
        raise BlocklistError(
            f"Branch {found.name!r} belongs to {found.organization.name!r}, "
            f"not to {organization.name!r}.")
    return found


def resolve_person(session, ref: str) -> Person:
    """A person by ``#id`` or full name ("First Last", case-insensitive)."""
    ref = " ".join(ref.split())
    if ref.startswith("#") and ref[1:].isdigit():
        found = session.get(Person, int(ref[1:]))
        if found is None:
            raise BlocklistError(f"There is no person {ref}.")
        return found
    full = func.trim(func.coalesce(Person.first_name, "") + " " +
                     func.coalesce(Person.last_name, ""))
    found = list(session.scalars(
        select(Person).where(_same_text(full, ref)).limit(2)))
    return _one(found, "person", ref, "use #id")


def _same_text(column, value: str):
    """Equal ignoring case (SQLite's lower() folds only ASCII, so also as typed)."""
    return or_(column == value, func.lower(column) == value.lower())


def _one(found: list, kind: str, ref: str, hint: str):
    if not found:
        raise BlocklistError(f"No {kind} is called {ref!r}.")
    if len(found) > 1:
        raise BlocklistError(f"More than one {kind} matches {ref!r}; {hint}.")
    return found[0]


def normalize_phone(raw: str) -> str:
    """E.164, which is how recipient rows carry phone numbers; a country code is required."""
    try:
        number = phonenumbers.parse(raw.strip(), None)
    except phonenumbers.NumberParseException as exc:
        raise BlocklistError(
            f"{raw!r} is not a phone number with a country code (+421 ...).") from exc
    if not phonenumbers.is_possible_number(number):
        raise BlocklistError(f"{raw!r} is not a possible phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
        errors["channels"] = f"Unknown channel {', '.join(unknown)}."
    elif not data.channels:
        errors["channels"] = "Choose at least one channel to forbid."
    if not errors and not any(values.values()):
        errors["organization"] = ("Fill at least one of organization, branch, person, "
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


def get_entry(session, entry_id: int) -> BlocklistEntry:
    entry = session.get(BlocklistEntry, entry_id)
    if entry is None:
        raise BlocklistError("That block-list entry does not exist.")
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
