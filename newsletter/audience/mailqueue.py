"""The subscriber-mail queue: confirmations, profile login and erasure links wait in a Redis
list and one draining job (``newsletter.jobs.send_subscriber_mail``, on the ``subscriber``
queue) sends them in turn over one SMTP connection, as the click recorder drains clicks. A
burst of signups costs one job, not one forked job per mail.

A mail leaves the list only after it went out (or was refused for good), so a worker killed
mid-drain sends at most the mail in flight twice; a connection failure leaves the rest for
the job's retry."""

import json
import logging
import time
from collections.abc import Callable

from newsletter import queue
from newsletter.channels.base import Messenger

from . import notifications

log = logging.getLogger(__name__)

MAIL_KEY = "newsletter:subscriber-mail"
#: set while a drain job is queued or running, so a burst enqueues one job; expires in
#: case a job is lost (the next mail after that enqueues a fresh one)
DRAIN_GATE_KEY = "newsletter:subscriber-mail:drain-gate"
DRAIN_GATE_SECONDS = 120
#: a drain job hands over to a fresh one after this long, so other workers' turns come
DRAIN_BUDGET_SECONDS = 20.0
DRAIN_JOB = "newsletter.jobs.send_subscriber_mail"
DRAIN_TIMEOUT = 60

#: kind -> the builder of its message (called with a session and the pushed arguments)
BUILDERS: dict[str, Callable] = {
    "confirmation": notifications.confirmation_message,
    "login": notifications.login_message,
    "erasure": notifications.erasure_message,
}


def push(redis, kind: str, *args) -> None:
    """Queue one subscriber mail; call after the commit that made its rows visible."""
    if kind not in BUILDERS:
        raise ValueError(f"{kind!r} is not a subscriber mail; choose from {', '.join(BUILDERS)}")
    pipe = redis.pipeline(transaction=False)  # one round trip for both
    pipe.rpush(MAIL_KEY, json.dumps([kind, *args]))
    pipe.set(DRAIN_GATE_KEY, 1, nx=True, ex=DRAIN_GATE_SECONDS)
    if pipe.execute()[1]:
        enqueue_drain()


def enqueue_drain() -> None:
    queue.enqueue(queue.SUBSCRIBER, DRAIN_JOB, job_timeout=DRAIN_TIMEOUT)


def waiting(redis) -> int:
    return redis.llen(MAIL_KEY)


def drain(session, redis, messenger: Messenger,
          budget: float = DRAIN_BUDGET_SECONDS) -> int:
    """Send the queued mail in order until the list is empty or the budget is spent (then a
    fresh job goes on); returns how many left the list. Temporary failures raise with the
    mail still first in the list (RQ retries the job; the gate keeps bursts from adding
    jobs meanwhile, and expires)."""
    started, count = time.monotonic(), 0
    while (raw := redis.lindex(MAIL_KEY, 0)) is not None:
        if time.monotonic() - started > budget:
            enqueue_drain()
            return count
        redis.expire(DRAIN_GATE_KEY, DRAIN_GATE_SECONDS)
        _send_one(session, messenger, raw)
        redis.lpop(MAIL_KEY)
        count += 1
    queue.close_drain(redis, MAIL_KEY, DRAIN_GATE_KEY, DRAIN_GATE_SECONDS, enqueue_drain)
    return count


def _send_one(session, messenger: Messenger, raw: bytes) -> None:
    try:
        kind, *args = json.loads(raw)
        build = BUILDERS[kind]
    except (ValueError, KeyError, TypeError):
        log.error("subscriber mail %r dropped: not a queued mail", raw[:200])
        return
    message = build(session, *args)
    session.commit()  # whatever building the message recorded (profile codes)
    notifications.send(messenger, message)
