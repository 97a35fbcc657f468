"""API benchmark: bulk upsert of N contacts through POST /api/v1/contacts/bulk in calls of
--batch (10,000), through the whole WSGI app in this process (authentication, JSON parsing,
pydantic validation, the set-based upsert, commit). A tenth of the rows of every call after
the first are contacts sent before (updates), so both paths are measured.

Prints one line:
  api backend=<sqlite|postgresql> contacts=<n> seconds=<s> contacts_per_s=<r> peak_rss_mb=<m>

Size: --contacts N (1,000,000). The schema comes from the migrations on a scratch database
(bench/common.py: SQLite in a temporary directory, or a scratch schema of
BENCH_DATABASE_URL, dropped afterwards)."""

import argparse
import gc
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import scratch_app
from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.platform import apikeys


def calls(contacts: int, batch: int, list_id: int):
    """The request bodies, as bytes, ``contacts`` rows in all: new contacts, and in every
    call after the first a tenth that were sent before (with a changed name)."""
    done = new = 0
    while done < contacts:
        size = min(batch, contacts - done)
        updates = size // 10 if new else 0
        numbers = [*range(new - updates, new), *range(new, new + size - updates)]
        rows = [{"email": f"user{n}@example{n % 97}.sk", "first_name": "Jana",
                 "last_name": f"Nováková{(n + done) % 13}",
                 "attributes": {"city": "Žilina", "tier": str(n % 3)}} for n in numbers]
        yield json.dumps({"contacts": rows, "list_id": list_id, "legal_basis": "consent",
                          "source": "bench"}).encode()
        done, new = done + size, new + size - updates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    with scratch_app() as (app, _tmp):
        run(app, args.contacts, args.batch)


def run(app, contacts: int, batch: int) -> None:
    with app.app_context():
        mlist = lists.create_list(db.session, "Bench", language="sk")
        token = apikeys.create_key(db.session, None, "bench", ["contacts:write"],
                                   "1000000/60").token
        db.session.commit()
        list_id, backend = mlist.id, db.engine.dialect.name
        db.session.remove()
    gc.collect()
    gc.freeze()  # as wsgi.py does after creating the app in a production worker
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    seconds = created = updated = 0.0
    for body in calls(contacts, batch, list_id):
        started = time.perf_counter()
        response = client.post("/api/v1/contacts/bulk", data=body, headers=headers)
        seconds += time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"api: {response.status_code} {response.get_data(as_text=True)}")
        created += response.json["created"]
        updated += response.json["updated"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    total = created + updated
    assert total == contacts, (total, contacts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"api backend={backend} contacts={int(total)} seconds={seconds:.1f} "
          f"contacts_per_s={total / seconds:.0f} peak_rss_mb={peak:.0f}", flush=True)
    print(f"  created={int(created)} updated={int(updated)}", file=sys.stderr)


if __name__ == "__main__":
    main()
