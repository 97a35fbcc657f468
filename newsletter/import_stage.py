"""Loading one batch of clean import rows, set-based: the rows go into a temporary staging
table (COPY on PostgreSQL, executemany on SQLite) and a handful of INSERT ... SELECT
statements create contacts, subscriptions and consent records for all of them at once.

Rules (seed 004): an address that is suppressed (erased: only its HMAC is known), whose
contact is not active (unsubscribed from everything, archived, bounced, erased) or who left
this list is skipped and counted, never re-activated. Existing contacts keep their data;
a new subscription is confirmed, because the editor states the legal basis and it is
recorded with the source on a consent record (also on double opt-in lists)."""

from dataclasses import dataclass

from sqlalchemy import text

from .import_files import CleanRow
from .models import SubscriptionStatus, utcnow
from .suppression import address_hash

COLUMNS = ("line", "email", "address_hash", "phone", "first_name", "last_name", "language",
           "attributes")
CREATE_STAGE = """CREATE TEMPORARY TABLE IF NOT EXISTS import_stage (
    line INTEGER, email VARCHAR(254) PRIMARY KEY, address_hash VARCHAR(64),
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
        attributes, status, created_at)
    SELECT st.email, st.phone, st.first_name, st.last_name, st.language, {attributes},
        'active', :now
    FROM import_stage st
    WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE c.email = st.email)
    ON CONFLICT (email) DO NOTHING"""
INSERT_SUBSCRIPTIONS = """INSERT INTO subscription (contact_id, list_id, channel, status,
        created_at, confirmed_at)
    SELECT c.id, :list_id, 'email', :confirmed, :now, :now
    FROM import_stage st JOIN contact c ON c.email = st.email
    WHERE NOT EXISTS (SELECT 1 FROM subscription s WHERE s.contact_id = c.id
                      AND s.list_id = :list_id AND s.channel = 'email')
    ON CONFLICT (contact_id, list_id, channel) DO NOTHING"""
INSERT_CONSENTS = """INSERT INTO consent_record (contact_id, list_id, channel, action,
        legal_basis, source, created_at)
    SELECT s.contact_id, :list_id, 'email', 'granted', :legal_basis, :source, :now
    FROM subscription s
    WHERE s.id > :after AND s.list_id = :list_id AND s.channel = 'email'
      AND EXISTS (SELECT 1 FROM import_stage st JOIN contact c ON c.email = st.email
                  WHERE c.id = s.contact_id)"""


@dataclass
class BatchCounts:
    created: int = 0
    subscribed: int = 0
    duplicates: int = 0
    suppressed: int = 0


def load_batch(session, list_id: int, legal_basis: str, source: str,
               rows: list[CleanRow]) -> BatchCounts:
    """Stage the rows and apply them; the caller commits."""
    counts = BatchCounts()
    unique: dict[str, CleanRow] = {}
    for row in rows:
        if row.email in unique:
            counts.duplicates += 1
        else:
            unique[row.email] = row
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    conn.execute(text(CREATE_STAGE))
    conn.execute(text("DELETE FROM import_stage"))
    tuples = [(r.line, r.email, address_hash(r.email), r.phone, r.first_name, r.last_name,
               r.language, r.attributes) for r in unique.values()]
    if postgres:
        _copy(conn, tuples)
        conn.execute(text("ANALYZE import_stage"))
    else:
        placeholders = ", ".join("?" for _ in COLUMNS)
        conn.exec_driver_sql(f"INSERT INTO import_stage VALUES ({placeholders})", tuples)
    now = utcnow()
    params = {"list_id": list_id, "now": now}
    counts.suppressed = conn.execute(
        text(SKIP_SUPPRESSED), {**params, "unsubscribed": SubscriptionStatus.UNSUBSCRIBED}
    ).rowcount
    attributes = "CAST(st.attributes AS JSONB)" if postgres else "st.attributes"
    counts.created = conn.execute(text(INSERT_CONTACTS.format(attributes=attributes)),
                                  params).rowcount
    after = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM subscription")).scalar_one()
    counts.subscribed = conn.execute(
        text(INSERT_SUBSCRIPTIONS), {**params, "confirmed": SubscriptionStatus.CONFIRMED}
    ).rowcount
    conn.execute(text(INSERT_CONSENTS), {**params, "after": after,
                                         "legal_basis": legal_basis, "source": source})
    counts.duplicates += len(tuples) - counts.suppressed - counts.subscribed
    return counts


def _copy(conn, tuples) -> None:
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY import_stage ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in tuples:
            copy.write_row(row)
