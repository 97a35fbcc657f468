"""Import benchmark: generate a CSV of N rows, upload it (stored in chunks in the
database) and run the import job in this process, as a worker does.

Prints one line:
  import backend=<sqlite|postgresql> rows=<n> seconds=<s> rows_per_s=<r> peak_rss_mb=<m>

Database from BENCH_DATABASE_URL (default: SQLite in a temporary directory). On PostgreSQL
the run uses a scratch schema that is dropped afterwards."""

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsletter import jobs
from newsletter.app import create_app
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


def scratch_url(url: str):
    """A fresh schema on PostgreSQL (the database may hold other data), or the URL itself."""
    if not url.startswith("postgresql"):
        return url, lambda: None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop():
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()

    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        url, drop = scratch_url(base_url)
        try:
            run(Path(tmp), url, args.rows)
        finally:
            drop()


def run(tmp: Path, url: str, rows: int) -> None:
    csv_path = tmp / "contacts.csv"
    generate(csv_path, rows)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp),
                      "REDIS_URL": None})
    with app.app_context():
        db.create_all()
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
        assert imp.status == "finished", imp.error
        backend = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"import backend={backend} rows={imp.rows_total} seconds={seconds:.1f} "
          f"rows_per_s={imp.rows_total / seconds:.0f} peak_rss_mb={peak:.0f}")
    print(f"  created={imp.created} subscribed={imp.subscribed} duplicates={imp.duplicates} "
          f"suppressed={imp.suppressed} invalid={imp.invalid}", file=sys.stderr)


if __name__ == "__main__":
    main()
