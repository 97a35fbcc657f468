"""Import benchmark: generate a CSV of N rows, upload it (stored in chunks in the
database) and run the import job in this process, as a worker does.

Prints one line:
  import backend=<sqlite|postgresql> rows=<n> seconds=<s> rows_per_s=<r> peak_rss_mb=<m>

Size: --rows N (1,000,000). The schema comes from the migrations on a scratch database
(bench/common.py: SQLite in a temporary directory, or a scratch schema of
BENCH_DATABASE_URL, dropped afterwards)."""

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import scratch_app
from newsletter import jobs
from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.imports import pipeline


def generate(path: Path, rows: int) -> None:
    """Semicolon CSV with Slovak names; every 1000th row is invalid, every 500th repeats."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("email;meno;priezvisko;mesto\r\n")
        for i in range(rows):
            if i % 1000 == 999:
                out.write(f"broken-{i};Zlý;Riadok;Nitra\r\n")
            elif i % 500 == 499:
                out.write(f"user{i - 1}@example{(i - 1) % 97}.sk;Ján;Opakovaný;Trnava\r\n")
            else:
                out.write(f"user{i}@example{i % 97}.sk;Jana;Nováková{i % 13};Žilina\r\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with scratch_app(redis=False) as (app, tmp):
        run(app, tmp, args.rows)


def run(app, tmp: Path, rows: int) -> None:
    csv_path = tmp / "contacts.csv"
    generate(csv_path, rows)
    with app.app_context():
        mlist = lists.create_list(db.session, "Bench", language="sk")
        with csv_path.open("rb") as stream:
            imp = pipeline.store_upload(db.session, mlist.id, stream, "bench.csv", "bench")
        pipeline.configure(db.session, imp.id, legal_basis="consent", source="bench",
                          encoding="utf-8", delimiter=";", has_header=True,
                          mapping=["email", "first_name", "last_name", "attribute"])
        db.session.commit()
        import_id = imp.id
        db.session.expunge_all()

        started = time.perf_counter()
        jobs.run_import(import_id)  # the RQ job's body, in this process
        seconds = time.perf_counter() - started

        imp = pipeline.get_import(db.session, import_id)
        if imp.status != "finished":
            raise SystemExit(f"import: the job ended {imp.status}: {imp.error}")
        backend = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"import backend={backend} rows={imp.rows_total} seconds={seconds:.1f} "
          f"rows_per_s={imp.rows_total / seconds:.0f} peak_rss_mb={peak:.0f}", flush=True)
    print(f"  created={imp.created} subscribed={imp.subscribed} duplicates={imp.duplicates} "
          f"suppressed={imp.suppressed} invalid={imp.invalid}", file=sys.stderr)

if __name__ == "__main__":
    main()
