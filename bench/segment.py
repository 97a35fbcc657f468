"""Benchmark: counting a saved segment of three conditions over N contacts, set-based in
SQL (what the segment editor's live count and a campaign's start evaluate).

Builds N contacts (a city attribute, one in ten in Bratislava), confirmed on a list (every
other contact), a sent campaign to one contact in five with clicks by one in ten of those
(half of them in the last 30 days), then counts the segment

    on the list AND city = Bratislava AND clicked in the last 30 days

Prints one parseable line:

    segment backend=<sqlite|postgresql> contacts=<n> conditions=3 seconds=<s>

Size: --contacts N (1,000,000). The schema comes from the migrations on a scratch database
(bench/common.py: SQLite in a temporary directory, or a scratch schema of
BENCH_DATABASE_URL, dropped afterwards). The count and two repeated runs go to stderr; a
count that differs from the one the data was built for is an error (exit 1)."""

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import scratch_app
from newsletter.extensions import db
from newsletter.models import Campaign, CampaignStatus, MailingList
from newsletter.segments import segments

SEQ = "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n) "

DEFINITION = {"match": "all", "groups": [{"match": "all", "conditions": [
    {"kind": "list", "op": "member", "value": "Bench"},
    {"kind": "attribute", "op": "equals", "key": "city", "value": "Bratislava"},
    {"kind": "clicked_recently", "op": "yes", "value": "30"},
]}]}


def build(n: int) -> None:
    conn = db.session.connection()
    postgres = conn.dialect.name == "postgresql"
    seq = "SELECT i FROM generate_series(1, :n) AS seq(i)" if postgres else SEQ + \
        "SELECT i FROM seq"
    city = ("CASE WHEN i % 10 = 0 THEN '{\"city\": \"Bratislava\"}' "
            "ELSE '{\"city\": \"Praha\"}' END")
    if postgres:
        city = f"CAST({city} AS jsonb)"
    conn.execute(text(
        f"INSERT INTO contact (email, language, attributes, status, soft_bounces, "
        f"tracking_opt_out, created_at) SELECT 'r' || i || '@example.com', 'en', {city}, "
        f"'active', 0, FALSE, CURRENT_TIMESTAMP FROM ({seq}) q"), {"n": n})
    mlist = MailingList(key="bench", name="Bench")
    campaign = Campaign(name="Spring", subject="Spring", body_text="Hi",
                        status=CampaignStatus.FINISHED)
    db.session.add_all([mlist, campaign])
    db.session.flush()
    conn.execute(text("INSERT INTO subscription (contact_id, list_id, channel, status, "
                      "created_at) SELECT id, :list, 'email', 'confirmed', CURRENT_TIMESTAMP "
                      "FROM contact WHERE id % 2 = 0"), {"list": mlist.id})
    conn.execute(text(
        "INSERT INTO delivery (campaign_id, contact_id, address, state, attempts, created_at) "
        "SELECT :c, id, email, 'sent', 0, CURRENT_TIMESTAMP FROM contact WHERE id % 5 = 0"),
        {"c": campaign.id})
    conn.execute(text("INSERT INTO link (campaign_id, url, created_at) "
                      "VALUES (:c, 'https://example.com/', CURRENT_TIMESTAMP)"),
                 {"c": campaign.id})
    # clicks by contacts whose id % 50 == 0 (one in ten of the recipients): half of them
    # today, half 40 days ago
    recent = "CURRENT_TIMESTAMP" if postgres else "datetime('now')"
    old = ("CURRENT_TIMESTAMP - INTERVAL '40 days'" if postgres
           else "datetime('now', '-40 days')")
    conn.execute(text(
        f"INSERT INTO click (link_id, delivery_id, clicked_at) "
        f"SELECT (SELECT id FROM link), d.id, CASE WHEN d.contact_id % 100 = 0 THEN {recent} "
        f"ELSE {old} END FROM delivery d WHERE d.contact_id % 50 = 0"))
    db.session.commit()
    if postgres:  # as autovacuum would have by now (the scratch schema's tables only)
        db.session.execute(text("ANALYZE " + ", ".join(f'"{t}"' for t in db.metadata.tables)))
        db.session.commit()


def expected(n: int) -> int:
    """On the list (even), in Bratislava (i % 10 == 0), clicked recently (i % 100 == 0)."""
    return n // 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    args = parser.parse_args()
    with scratch_app(redis=False) as (app, _tmp), app.app_context():
        started = time.perf_counter()
        build(args.contacts)
        print(f"setup {time.perf_counter() - started:.1f}s", file=sys.stderr)
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            counted = segments.count(db.session, DEFINITION)
            runs.append(time.perf_counter() - started)
            db.session.rollback()
        print(f"count {counted}; runs " + ", ".join(f"{s:.2f}s" for s in runs),
              file=sys.stderr)
        if counted != expected(args.contacts):
            raise SystemExit(f"segment: counted {counted}, built for "
                             f"{expected(args.contacts)}; the conditions are broken")
        print(f"segment backend={db.engine.dialect.name} contacts={args.contacts} "
              f"conditions=3 seconds={runs[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
