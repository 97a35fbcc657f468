"""Bulk upsert of contacts by e-mail (the JSON API), set-based like the import: the rows
are checked first (any bad row refuses the whole call, with its errors by index and field),
then staged and applied with a few statements per call, whatever its size.

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

from . import staging
from .files import Record, RowError, clean

MAX_ROWS = 10_000
NAME_FIELDS = ("phone", "first_name", "last_name", "language")
CHANGES = """INSERT INTO contact_change (contact_id, field, old_value, new_value, actor,
        created_at)
    SELECT c.id, '{field}', {old}, {new}, :actor, :now
    FROM import_stage st JOIN contact c ON c.email = st.email
    WHERE c.status = 'active' AND st.{field} IS NOT NULL AND {changed}"""
UPDATE = """UPDATE contact SET phone = COALESCE(st.phone, contact.phone),
        first_name = COALESCE(st.first_name, contact.first_name),
        last_name = COALESCE(st.last_name, contact.last_name),
        language = COALESCE(st.language, contact.language),
        attributes = {merged}
    FROM import_stage st WHERE contact.email = st.email AND contact.status = 'active'"""
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
    left_out: list[dict] = default(default_factory=list)  # those rows: index and email


def _staged_row(index: int, row: dict):
    """A clean row for the stage (language None when the row gives none), or RowError."""
    values = {k: str(row[k]) for k in ("email", *NAME_FIELDS) if row.get(k) is not None}
    attributes = {str(k): str(v) for k, v in (row.get("attributes") or {}).items()}
    cleaned = clean(Record(index, values, attributes), "en")
    return (index, cleaned.email, cleaned.phone, cleaned.first_name, cleaned.last_name,
            cleaned.language if values.get("language") else None, cleaned.attributes)


def _stage(rows: list[dict], postgres: bool) -> tuple[staging.StagedBatch, dict[int, str]]:
    """The batch to stage, and the address of each staged row by its index."""
    errors, unique = {}, {}
    for index, row in enumerate(rows):
        try:
            staged = _staged_row(index, row)
        except RowError as exc:
            errors[f"contacts.{index}"] = exc.reason
            continue
        unique.setdefault(staged[1], staged)
    if errors:
        raise BulkError(errors)
    hasher = address_hasher()
    tuples = [(i, email, hasher(email), *rest) for i, email, *rest in unique.values()]
    emails = {i: email for i, email, *_ in unique.values()}
    return staging.batch_of(tuples, len(rows) - len(tuples), postgres), emails


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
    """Apply up to MAX_ROWS contact rows; the caller commits."""
    if len(rows) > MAX_ROWS:
        raise BulkError({"contacts": f"Send at most {MAX_ROWS:,} contacts per call."})
    mlist = session.get(MailingList, list_id) if list_id is not None else None
    if list_id is not None and mlist is None:
        raise BulkError({"list_id": "That list does not exist."})
    postgres = session.connection().dialect.name == "postgresql"
    batch, emails = _stage(rows, postgres)
    counts = UpsertCounts(received=len(rows), duplicates=batch.duplicates)
    conn = staging.fill_stage(session, batch)
    staging.refresh_stale_stats(conn)
    params = {"actor": actor[:100], "now": utcnow()}
    _record_changes(conn, params)
    counts.updated = conn.execute(text(UPDATE.format(merged=MERGED[conn.dialect.name]))
                                  ).rowcount
    conn.execute(text("UPDATE import_stage SET language = :language WHERE language IS NULL"),
                 {"language": mlist.language if mlist else "en"})
    lines: list[int] = []
    counts.skipped, counts.created, counts.subscribed = staging.apply_stage(
        conn, list_id, legal_basis, source, room=limits.remaining(session, "contacts"),
        left_out=lines)
    counts.left_out = [{"index": i, "email": emails[i]} for i in lines]
    counts.over_limit = len(lines)
    return counts
