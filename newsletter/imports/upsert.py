"""Bulk upsert of contacts by e-mail or phone (the JSON API), set-based like the import:
the rows are checked first (a row that cannot be used, e.g. with neither an e-mail address
nor a phone number, is reported by its index and the others are kept), then the rows with
an e-mail address are staged and applied with a few statements per call, whatever its
size; rows with only a phone number (E.164) are matched on it (``phone_rows``).

An existing active contact gets the fields the row gives (attributes are merged) and one
history row per changed field; a new address becomes a new contact; a suppressed address or
a contact that is not active is skipped and counted (never re-activated, seed 004). With a
list, new subscriptions are confirmed with the stated legal basis on a consent record.
New addresses past the plan's contact limit are not created: the call stops there, as an
import does, and answers which rows were left out."""

from dataclasses import dataclass
from dataclasses import field as default

from sqlalchemy import text

from newsletter.audience.suppression import address_hasher
from newsletter.errors import DomainError
from newsletter.models import MailingList, utcnow
from newsletter.platform import limits

from . import phone_rows, staging
from .files import Record, RowError, clean, clean_details

MAX_ROWS = 10_000
NAME_FIELDS = ("phone", "first_name", "last_name", "language")
#: the staged rows of active contacts that exist, with their ids: looked up once by
#: e-mail, so the history rows and the update below touch only those (by primary key)
KNOWN_TABLE = """CREATE TEMPORARY TABLE IF NOT EXISTS upsert_known (
    contact_id INTEGER, phone VARCHAR(20), first_name VARCHAR(100), last_name VARCHAR(100),
    language VARCHAR(8), attributes TEXT)"""
KNOWN = """INSERT INTO upsert_known
    SELECT c.id, st.phone, st.first_name, st.last_name, st.language, st.attributes
    FROM import_stage st JOIN contact c ON c.email = st.email WHERE c.status = 'active'"""
CHANGES = """INSERT INTO contact_change (contact_id, field, old_value, new_value, actor,
        created_at)
    SELECT c.id, '{field}', {old}, {new}, :actor, :now
    FROM upsert_known st JOIN contact c ON c.id = st.contact_id
    WHERE st.{field} IS NOT NULL AND {changed}"""
UPDATE = """UPDATE contact SET phone = COALESCE(st.phone, contact.phone),
        first_name = COALESCE(st.first_name, contact.first_name),
        last_name = COALESCE(st.last_name, contact.last_name),
        language = COALESCE(st.language, contact.language),
        attributes = {merged}
    FROM upsert_known st WHERE contact.id = st.contact_id"""
MERGED = {"postgresql": "(contact.attributes || CAST(st.attributes AS JSONB))",
          "sqlite": "json_patch(contact.attributes, st.attributes)"}


class BulkError(DomainError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(f"{len(errors)} rows cannot be used; nothing was changed.")
        self.errors = errors


@dataclass
class UpsertCounts:
    received: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0  # suppressed, or a contact that is not active, or left the list
    duplicates: int = 0  # the same address again in this call (the first one counts)
    subscribed: int = 0
    over_limit: int = 0  # new addresses past the plan's contact limit: not created
    left_out: list[dict] = default(default_factory=list)  # those rows: index and address
    rejected: int = 0  # rows that cannot be used (``errors`` says why)
    errors: dict[str, str] = default(default_factory=dict)  # by "contacts.<index>"


def _staged_row(index: int, row: dict):
    """A clean row for the stage (language None when the row gives none), a PhoneRow for
    a row keyed by its phone (no e-mail), or RowError."""
    values = {k: str(row[k]) for k in ("email", *NAME_FIELDS) if row.get(k) is not None}
    attributes = {str(k): str(v) for k, v in (row.get("attributes") or {}).items()}
    if not values.get("email", "").strip():
        if not values.get("phone", "").strip():
            raise RowError(index, "Give an email or a phone (E.164, +421…).")
        phone, first, last, language, _json = clean_details(values, attributes, "en")
        given = {"first_name": first, "last_name": last,
                 "language": language if values.get("language") else None,
                 "attributes": attributes or None}
        return phone_rows.PhoneRow(index, phone, {k: v for k, v in given.items()
                                                  if v is not None and k in row})
    cleaned = clean(Record(index, values, attributes), "en")
    return (index, cleaned.email, cleaned.phone, cleaned.first_name, cleaned.last_name,
            cleaned.language if values.get("language") else None, cleaned.attributes)


@dataclass
class Staged:
    """A call's rows sorted out: the e-mail rows ready for the stage, the rows keyed by
    phone, and the errors of the rows that cannot be used (by ``contacts.<index>``)."""

    batch: staging.StagedBatch
    emails: dict[int, str]
    phones: list
    errors: dict[str, str]


def _stage(rows: list[dict], postgres: bool) -> Staged:
    errors, unique, phones = {}, {}, {}
    for index, row in enumerate(rows):
        try:
            staged = _staged_row(index, row)
        except RowError as exc:
            errors[f"contacts.{index}"] = exc.reason
            continue
        if isinstance(staged, phone_rows.PhoneRow):
            phones.setdefault(staged.phone, staged)
        else:
            unique.setdefault(staged[1], staged)
    hasher = address_hasher()
    tuples = [(i, email, hasher(email), *rest) for i, email, *rest in unique.values()]
    emails = {i: email for i, email, *_ in unique.values()}
    good = len(rows) - len(errors)
    return Staged(staging.batch_of(tuples, good - len(tuples) - len(phones), postgres),
                  emails, list(phones.values()), errors)


def _record_changes(conn, params: dict) -> None:
    dialect = conn.dialect.name
    for field in NAME_FIELDS:
        conn.execute(text(CHANGES.format(field=field, old=f"c.{field}", new=f"st.{field}",
                                         changed=f"c.{field} IS DISTINCT FROM st.{field}")),
                     params)
    merged = MERGED[dialect].replace("contact.", "c.")
    as_text = "CAST({} AS TEXT)" if dialect == "postgresql" else "{}"
    conn.execute(text(CHANGES.format(
        field="attributes", old=as_text.format("c.attributes"),
        new=as_text.format(merged),
        changed=f"st.attributes <> '{{}}' AND {merged} <> c.attributes")), params)


def bulk_upsert(session, rows: list[dict], *, list_id: int | None, legal_basis: str,
                source: str, actor: str) -> UpsertCounts:
    """Apply up to MAX_ROWS contact rows; the caller commits. Rows that cannot be used are
    reported in ``errors`` and the others applied."""
    if len(rows) > MAX_ROWS:
        raise BulkError({"contacts": f"Send at most {MAX_ROWS:,} contacts per call."})
    mlist = session.get(MailingList, list_id) if list_id is not None else None
    if list_id is not None and mlist is None:
        raise BulkError({"list_id": "That list does not exist."})
    postgres = session.connection().dialect.name == "postgresql"
    staged = _stage(rows, postgres)
    counts = UpsertCounts(received=len(rows), duplicates=staged.batch.duplicates,
                          rejected=len(staged.errors), errors=staged.errors)
    if staged.batch.count:
        _apply_emails(session, staged, mlist, counts, legal_basis=legal_basis,
                      source=source, actor=actor)
    if staged.phones:
        by_phone = phone_rows.apply(session, staged.phones, mlist, legal_basis=legal_basis,
                                    source=source, actor=actor)
        counts.created += by_phone.created
        counts.updated += by_phone.updated
        counts.skipped += by_phone.skipped
        counts.subscribed += by_phone.subscribed
        phones = {r.index: r.phone for r in staged.phones}
        counts.left_out += [{"index": i, "email": None, "phone": phones[i]}
                            for i in by_phone.left_out]
        counts.over_limit += len(by_phone.left_out)
    return counts


def _apply_emails(session, staged: Staged, mlist: MailingList | None, counts: UpsertCounts,
                  *, legal_basis: str, source: str, actor: str) -> None:
    conn = staging.fill_stage(session, staged.batch)
    staging.refresh_stale_stats(conn)
    conn.execute(text(KNOWN_TABLE))
    conn.execute(text("TRUNCATE upsert_known" if conn.dialect.name == "postgresql"
                      else "DELETE FROM upsert_known"))
    if conn.execute(text(KNOWN)).rowcount:  # all new (the usual bulk load): nothing to do
        _record_changes(conn, {"actor": actor[:100], "now": utcnow()})
        counts.updated = conn.execute(text(UPDATE.format(merged=MERGED[conn.dialect.name]))
                                      ).rowcount
    conn.execute(text("UPDATE import_stage SET language = :language WHERE language IS NULL"),
                 {"language": mlist.language if mlist else "en"})
    lines: list[int] = []
    counts.skipped, counts.created, counts.subscribed = staging.apply_stage(
        conn, mlist.id if mlist else None, legal_basis, source,
        room=limits.remaining(session, "contacts"), left_out=lines)
    counts.left_out = [{"index": i, "email": staged.emails[i], "phone": None}
                       for i in lines]
    counts.over_limit = len(lines)
