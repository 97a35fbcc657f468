"""A small fixed-window rate limiter in Redis, shared by every web and worker process."""

import hashlib

from flask import current_app
from flask_babel import ngettext

from newsletter import queue
from newsletter.errors import DomainError


class RateLimited(DomainError):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many attempts; try again in {retry_after} seconds.")
        self.retry_after = retry_after

    def advice(self) -> str:
        """What the person is told, in their language."""
        return ngettext("You tried this too often. Please wait a minute and try again.",
                        "You tried this too often. Please wait %(num)d minutes and try again.",
                        max(1, round(self.retry_after / 60)))


def limit(name: str, key: str) -> None:
    """Count one attempt against the configured rule ``RATE_<NAME>`` ("limit/seconds");
    raise RateLimited when it is exhausted (the blueprints answer 429 with Retry-After)."""
    allowed, retry_after = hit(f"{name}:{key}", *parse(current_app.config[f"RATE_{name.upper()}"]))
    if not allowed:
        raise RateLimited(retry_after)


def hit(key: str, limit: int, window_seconds: int) -> tuple[bool, int]:
    """Count one attempt for ``key`` in the current window of ``window_seconds``.

    Returns ``(allowed, retry_after)``: ``allowed`` is False once more than ``limit``
    attempts were made in the window, and ``retry_after`` is how many seconds are left in
    it (0 when allowed). Keys holding personal data (addresses) are hashed before they
    reach Redis."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    name = f"ratelimit:{digest}"
    pipe = queue.get_redis().pipeline()
    pipe.set(name, 0, ex=window_seconds, nx=True)  # a new window starts with its expiry
    pipe.incr(name)
    pipe.ttl(name)
    _, count, ttl = pipe.execute()
    if count <= limit:
        return True, 0
    return False, max(int(ttl), 1)


def parse(rule: str) -> tuple[int, int]:
    """``"10/3600"`` -> (10, 3600): a limit and its window in seconds (config values)."""
    limit, _, window = str(rule).partition("/")
    return int(limit), int(window or 60)
