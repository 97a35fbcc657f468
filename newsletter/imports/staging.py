"""Loading one batch of clean import rows, set-based: the rows go into a temporary staging
table (COPY on PostgreSQL, executemany on SQLite) and a handful of INSERT ... SELECT
statements create contacts, subscriptions and consent records for all of them at once.

Rules (seed 004): an address that is suppressed (erased: only its HMAC is known), whose
contact is not active (unsubscribed from everything, archived, bounced, erased) or who left
this list is skipped and counted, never re-activated. Existing contacts keep their data;
a new subscription is confirmed, because the editor states the legal basis and it is
recorded with the source on a consent record (also on double opt-in lists)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text

from newsletter.models import SubscriptionStatus, utcnow

from .files import CleanRow

SQLITE_CACHE_KB = 32 * 1024  # per connection; the pool may hold a few
COLUMNS = ("line", "email", "address_hash", "phone", "first_name", "last_name", "language",
           "attributes")
CREATE_STAGE = """CREATE TEMPORARY TABLE IF NOT EXISTS import_stage (
    line INTEGER, email VARCHAR(254), address_hash VARCHAR(64),
    phone VARCHAR(20), first_name VARCHAR(100), last_name VARCHAR(100),
    language VARCHAR(8), attributes TEXT)"""
SKIP_SUPPRESSED = """DELETE FROM import_stage WHERE
    EXISTS (SELECT 1 FROM suppression x WHERE x.address_hash = import_stage.address_hash)
    OR EXISTS (SELECT 1 FROM contact c WHERE c.email = import_stage.email
               AND c.status <> 'active')
    OR EXISTS (SELECT 1 FROM contact c JOIN subscription s ON s.contact_id = c.id
               WHERE c.email = import_stage.email AND s.list_id = :list_id
               AND s.channel = 'email' AND s.status = :unsubscribed)"""
INSERT_CONTACTS = """INSERT INTO contact (email, phone, first_name, last_name, language,
        attributes, status, soft_bounces, tracking_opt_out, created_at)
    SELECT st.email, st.phone, st.first_name, st.last_name, st.language, {attributes},
        'active', 0, FALSE, :now
    FROM import_stage st
    WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE c.email = st.email)"""
NEW_SUBSCRIPTIONS = """INSERT INTO subscription (contact_id, list_id, channel, status,
        created_at, confirmed_at)
    SELECT c.id, :list_id, 'email', :confirmed, :now, :now
    FROM import_stage st JOIN contact c ON c.email = st.email
    WHERE NOT EXISTS (SELECT 1 FROM subscription s WHERE s.contact_id = c.id
                      AND s.list_id = :list_id AND s.channel = 'email')"""
#: staged rows already on the list (active contact, subscription not left): listed in the
#: report as duplicates
ALREADY_ON_LIST = """SELECT st.line, st.email FROM import_stage st
    JOIN contact c ON c.email = st.email AND c.status = 'active'
    JOIN subscription s ON s.contact_id = c.id AND s.list_id = :list_id
        AND s.channel = 'email' AND s.status <> :unsubscribed
    ORDER BY st.line LIMIT :limit"""
#: the plan's contact limit: new addresses past the room left are left out (in file order)
OVER_LIMIT_ROWS = """SELECT st.line FROM import_stage st
    WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE c.email = st.email)
    ORDER BY st.line {offset}"""
# bandit B608 reviewed: a constant of this module; {offset} is one of two constant clauses
# chosen by dialect, and the room is bound (:room)
OVER_LIMIT = f"""DELETE FROM import_stage WHERE line IN ({OVER_LIMIT_ROWS})"""  # nosec B608
CONSENT_COLUMNS = """INSERT INTO consent_record (contact_id, list_id, channel, action,
        legal_basis, source, created_at)
    SELECT new.contact_id, :list_id, 'email', 'granted', :legal_basis, :source, :now"""
#: PostgreSQL: one statement. New contacts are subscribed straight from what the contact
#: insert returns; ``known`` sees the snapshot before it, so only contacts that existed.
# bandit B608 reviewed: assembled from this module's own constant SQL fragments; values are bound
APPLY_POSTGRES = f"""WITH created AS ({INSERT_CONTACTS.format(
        attributes="CAST(st.attributes AS JSONB)")} RETURNING id),
    known AS (SELECT c.id FROM import_stage st JOIN contact c ON c.email = st.email
              WHERE NOT EXISTS (SELECT 1 FROM subscription s WHERE s.contact_id = c.id
                                AND s.list_id = :list_id AND s.channel = 'email')),
    new AS (INSERT INTO subscription (contact_id, list_id, channel, status, created_at,
                                      confirmed_at)
            SELECT id, :list_id, 'email', :confirmed, :now, :now
            FROM (SELECT id FROM created UNION ALL SELECT id FROM known) ids
            RETURNING contact_id),
    consents AS ({CONSENT_COLUMNS} FROM new)
    SELECT (SELECT count(*) FROM created), (SELECT count(*) FROM new)"""  # nosec B608
#: SQLite has one writer, so the subscriptions above the previous maximum id are ours.
CONSENTS_SQLITE = f"""{CONSENT_COLUMNS} FROM subscription new
    WHERE new.id > :after AND new.list_id = :list_id AND new.channel = 'email'"""


@dataclass
class BatchCounts:
    created: int = 0
    subscribed: int = 0
    duplicates: int = 0
    suppressed: int = 0
    over_limit: int = 0
    #: (line, address) of staged rows whose address is already on the list
    already: list = field(default_factory=list)


@dataclass
class StagedBatch:
    """A batch made ready for the database (built in the reader thread): deduplicated,
    hashed, and already in COPY text format for PostgreSQL or tuples for SQLite."""

    count: int
    duplicates: int
    copy_text: str = ""
    tuples: list | None = None
    #: (line, line of the first row with that address, address) of rows repeating an
    #: address earlier in the batch
    repeats: list = field(default_factory=list)


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    value = str(value)
    # most values need no escape: searching is cheaper than translating
    return value.translate(COPY_ESCAPES) if COPY_SPECIAL.search(value) else value


def stage(rows: list[CleanRow], hasher: Callable[[str], str], postgres: bool) -> StagedBatch:
    unique: dict[str, CleanRow] = {}
    repeats = []
    for row in rows:
        first = unique.setdefault(row.email, row)
        if first is not row:
            repeats.append((row.line, first.line, row.email))
    tuples = [(r.line, r.email, hasher(r.email), r.phone, r.first_name, r.last_name,
               r.language, r.attributes) for r in unique.values()]
    return batch_of(tuples, len(rows) - len(tuples), postgres, repeats)


def batch_of(tuples: list[tuple], duplicates: int, postgres: bool,
             repeats: list | None = None) -> StagedBatch:
    """Rows in the order of COLUMNS, made ready for the staging table."""
    batch = StagedBatch(len(tuples), duplicates, repeats=repeats or [])
    if postgres:
        batch.copy_text = "".join(
            "\t".join(map(_copy_value, t)) + "\n" for t in tuples)
    else:
        batch.tuples = tuples
    return batch


def fill_stage(session, batch: StagedBatch, refresh_stats: bool = False):
    """Put the staged rows in the (emptied) temporary staging table; returns the
    connection, which holds the table until the transaction ends."""
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    conn.execute(text(CREATE_STAGE))
    # TRUNCATE: deleted rows would pile up in a temporary table (autovacuum skips them)
    conn.execute(text("TRUNCATE import_stage" if postgres else "DELETE FROM import_stage"))
    if postgres:
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY import_stage ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            copy.write(batch.copy_text)
        if refresh_stats:
            conn.execute(text("ANALYZE contact, subscription"))
    else:
        # SQLite's default page cache (2 MB) thrashes once the e-mail index outgrows it.
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
        placeholders = ", ".join("?" for _ in COLUMNS)
        # bandit B608 reviewed: only "?" placeholders are formatted in; the values are bound
        conn.exec_driver_sql(f"INSERT INTO import_stage VALUES ({placeholders})",  # nosec B608
                             batch.tuples)
    return conn


def load_batch(session, list_id: int, legal_basis: str, source: str,
               batch: StagedBatch, refresh_stats: bool = False,
               room: int | None = None, list_already: int = 0) -> BatchCounts:
    """Put the staged rows in the staging table and apply them; the caller commits.
    ``list_already``: how many of the rows already on the list to name in
    ``counts.already`` (the import's report lists them).
    A concurrent signup of the same address makes it raise IntegrityError: roll back and
    load the batch again. ``refresh_stats`` re-analyzes the tables the import is growing
    (PostgreSQL plans with stale statistics otherwise)."""
    counts = BatchCounts(duplicates=batch.duplicates)
    conn = fill_stage(session, batch, refresh_stats)
    if list_already > 0:
        counts.already = [tuple(r) for r in conn.execute(text(ALREADY_ON_LIST), {
            "list_id": list_id, "unsubscribed": SubscriptionStatus.UNSUBSCRIBED,
            "limit": list_already})]
    counts.suppressed, counts.created, counts.subscribed = apply_stage(
        conn, list_id, legal_basis, source, room, counts)
    counts.duplicates += (batch.count - counts.suppressed - counts.over_limit
                          - counts.subscribed)
    return counts


STALE_STATS = """SELECT bool_or(s.n_live_tup > 2 * greatest(c.reltuples, 0) + 1000)
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.relid IN ('contact'::regclass, 'subscription'::regclass)"""


def refresh_stale_stats(conn) -> None:
    """PostgreSQL: re-analyze contact and subscription once they hold more than twice the
    rows the planner believes (a plan made for an empty table scans it once per staged
    row). Callers that do not know their batch number (the API) use this; the import
    refreshes at batches 1, 2, 4, 8 ..."""
    if conn.dialect.name == "postgresql" and conn.execute(text(STALE_STATS)).scalar():
        conn.execute(text("ANALYZE contact, subscription"))


def apply_stage(conn, list_id: int | None, legal_basis: str, source: str,
                room: int | None = None, counts: BatchCounts | None = None,
                left_out: list[int] | None = None) -> tuple[int, int, int]:
    """Skip the staged rows that may not be imported, leave out new addresses past the
    plan's contact limit (``room``: how many may still be created; their number goes to
    ``counts.over_limit``, their lines to ``left_out`` when given), create the new
    contacts and, with a list, subscribe them. Returns (skipped, created, subscribed)."""
    postgres = conn.dialect.name == "postgresql"
    params = {"list_id": list_id, "now": utcnow(), "legal_basis": legal_basis,
              "source": source, "confirmed": SubscriptionStatus.CONFIRMED,
              "unsubscribed": SubscriptionStatus.UNSUBSCRIBED}
    if postgres:
        # The batch is small and every lookup has an index: nested loops are always right.
        conn.execute(text("SET LOCAL enable_hashjoin = off"))
        conn.execute(text("SET LOCAL enable_mergejoin = off"))
        # a crash loses at most this batch, and its resume point with it: it is redone
        conn.execute(text("SET LOCAL synchronous_commit = off"))
    skipped = conn.execute(text(SKIP_SUPPRESSED), params).rowcount
    if room is not None:  # the plan's contact limit (platform.limits)
        offset = "OFFSET :room" if postgres else "LIMIT -1 OFFSET :room"
        if left_out is not None:
            left_out.extend(conn.execute(text(OVER_LIMIT_ROWS.format(offset=offset)),
                                         {"room": room}).scalars())
        over = conn.execute(text(OVER_LIMIT.format(offset=offset)), {"room": room}).rowcount
        if counts is not None:
            counts.over_limit = over
    attributes = "CAST(st.attributes AS JSONB)" if postgres else "st.attributes"
    if list_id is None:
        created = conn.execute(text(INSERT_CONTACTS.format(attributes=attributes)),
                               params).rowcount
        return skipped, created, 0
    if postgres:
        created, subscribed = conn.execute(text(APPLY_POSTGRES), params).one()
        return skipped, created, subscribed
    created = conn.execute(text(INSERT_CONTACTS.format(attributes=attributes)),
                           params).rowcount
    after = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM subscription")).scalar_one()
    subscribed = conn.execute(text(NEW_SUBSCRIPTIONS), params).rowcount
    conn.execute(text(CONSENTS_SQLITE), {**params, "after": after})
    return skipped, created, subscribed
