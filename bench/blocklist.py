"""Benchmark: block-list matching of a campaign's recipients, set-based in SQL.

Builds N recipients (contacts of every kind: bare e-mail, person alone, person in an
organization, organization, branch) with one queued delivery each, and M block-list entries
of every shape, then times ``matching.mark_blocked`` over the whole campaign (what starting
a campaign does). Prints one parseable line:

    blocklist backend=<sqlite|postgresql> recipients=<n> entries=<m> seconds=<s>

Sizes: --recipients N (1,000,000), --entries M (100,000). The schema comes from the
migrations on a scratch database (bench/common.py: SQLite in a temporary directory, or a
scratch schema of BENCH_DATABASE_URL, dropped afterwards). The check-recipients resolution
time and the blocked count go to stderr; no deliveries blocked is an error (exit 1)."""

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import scratch_app
from newsletter.blocklist import matching
from newsletter.campaigns import recipients
from newsletter.extensions import db
from newsletter.models import Campaign, Delivery, MailingList

SEQ = "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n) "

# contact kind by i % 20: 0-5 bare e-mail, 6-11 person alone, 12-15 person in organization,
# 16-17 organization, 18-19 branch (the organization follows from the branch)
CONTACTS = SEQ + """
INSERT INTO contact (email, phone, language, attributes, status, organization_id, branch_id,
                     person_id, created_at)
SELECT 'r' || i || '@example.com', '+1555' || (1000000 + i), 'en', '{}', 'active',
       CASE WHEN i % 20 BETWEEN 12 AND 17 THEN i % :orgs + 1 END,
       CASE WHEN i % 20 >= 18 THEN i % :orgs + 1 END,
       CASE WHEN i % 20 BETWEEN 6 AND 15 THEN i % :persons + 1 END,
       CURRENT_TIMESTAMP
FROM seq"""

# entry shape by j % 8: organization, branch, person, person+organization, e-mail,
# e-mail+organization, e-mail+person, phone
ENTRIES = SEQ + """
INSERT INTO blocklist_entry (organization_id, branch_id, person_id, email, phone, note,
                             created_at)
SELECT CASE WHEN i % 8 IN (0, 3, 5) THEN (i * 7) % :orgs + 1 END,
       CASE WHEN i % 8 = 1 THEN (i * 7) % :orgs + 1 END,
       CASE WHEN i % 8 IN (2, 3, 6) THEN (i * 13) % :persons + 1 END,
       CASE WHEN i % 8 IN (4, 5, 6) THEN 'r' || ((i * 37) % :n + 1) || '@example.com' END,
       CASE WHEN i % 8 = 7 THEN '+1555' || (1000000 + (i * 37) % :n + 1) END,
       'bench', CURRENT_TIMESTAMP
FROM seq"""


def build(n: int, m: int) -> int:
    orgs, persons = max(1, n // 20), max(1, n // 2)
    conn = db.session.connection()
    conn.execute(text(SEQ + "INSERT INTO organization (name, created_at) "
                      "SELECT 'Org ' || i, CURRENT_TIMESTAMP FROM seq"), {"n": orgs})
    conn.execute(text(SEQ + "INSERT INTO branch (organization_id, name, created_at) "
                      "SELECT i, 'Branch ' || i, CURRENT_TIMESTAMP FROM seq"), {"n": orgs})
    conn.execute(text(SEQ + "INSERT INTO person (first_name, last_name, created_at) "
                      "SELECT 'P', 'Person ' || i, CURRENT_TIMESTAMP FROM seq"), {"n": persons})
    conn.execute(text(CONTACTS), {"n": n, "orgs": orgs, "persons": persons})
    conn.execute(text(ENTRIES), {"n": m, "orgs": orgs, "persons": persons})
    conn.execute(text("INSERT INTO blocklist_channel (entry_id, channel) "
                      "SELECT id, 'email' FROM blocklist_entry"))
    conn.execute(text("INSERT INTO blocklist_channel (entry_id, channel) "
                      "SELECT id, 'sms' FROM blocklist_entry WHERE id % 3 = 0"))
    mlist = MailingList(key="bench", name="Bench")
    campaign = Campaign(name="Bench", subject="Bench", body_text="Bench", lists=[mlist])
    db.session.add(campaign)
    db.session.flush()
    conn.execute(text("INSERT INTO subscription (contact_id, list_id, channel, status, "
                      "created_at) SELECT id, :list, 'email', 'confirmed', CURRENT_TIMESTAMP "
                      "FROM contact"), {"list": mlist.id})
    # the deliveries starting the campaign would create (organization from the branch)
    conn.execute(text(
        "INSERT INTO delivery (campaign_id, contact_id, address, organization_id, branch_id, "
        "person_id, state, attempts, created_at) "
        "SELECT :c, c.id, c.email, COALESCE(c.organization_id, b.organization_id), "
        "c.branch_id, c.person_id, 'queued', 0, CURRENT_TIMESTAMP "
        "FROM contact c LEFT JOIN branch b ON b.id = c.branch_id"), {"c": campaign.id})
    db.session.commit()
    if conn.dialect.name == "postgresql":  # as autovacuum would have by now
        # the scratch schema's tables only, not every table of the database
        db.session.execute(text("ANALYZE " + ", ".join(f'"{t}"' for t in db.metadata.tables)))
        db.session.commit()
    # SQLite gets no ANALYZE: a real instance's database has no statistics either
    return campaign.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    with scratch_app(redis=False) as (app, _tmp), app.app_context():
        started = time.perf_counter()
        campaign_id = build(args.recipients, args.entries)
        print(f"setup {time.perf_counter() - started:.1f}s", file=sys.stderr)
        seconds, blocked = measure(campaign_id, args.recipients)
        if not blocked:
            raise SystemExit("blocklist: no delivery was blocked; the matching is broken")
        print(f"blocklist backend={db.engine.dialect.name} recipients={args.recipients} "
              f"entries={args.entries} seconds={seconds:.2f}", flush=True)


def measure(campaign_id: int, n: int) -> tuple[float, int]:
    """The check-recipients view and one claim-time batch (stderr), then mark_blocked over
    the whole campaign: its seconds and blocked count."""
    started = time.perf_counter()
    check = recipients.check_recipients(db.session, campaign_id, page_size=50)
    print(f"check-recipients view: {check.total} recipients, {check.blocked} blocked, "
          f"{time.perf_counter() - started:.2f}s", file=sys.stderr)

    batch = list(db.session.scalars(
        select(Delivery.id).where(Delivery.campaign_id == campaign_id)
        .order_by(Delivery.id).offset(n // 2).limit(200)))
    started = time.perf_counter()
    in_batch = matching.mark_blocked(db.session, campaign_id, batch)
    print(f"claim-time check of one batch of {len(batch)}: {in_batch} blocked, "
          f"{(time.perf_counter() - started) * 1000:.0f} ms", file=sys.stderr)
    db.session.rollback()

    started = time.perf_counter()
    blocked = matching.mark_blocked(db.session, campaign_id)
    db.session.commit()
    seconds = time.perf_counter() - started
    print(f"mark_blocked: {blocked} deliveries blocked", file=sys.stderr)
    return seconds, blocked

if __name__ == "__main__":
    main()
