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
    limit_each((name, key))


def limit_each(*rules: tuple[str, str]) -> None:
    """``limit`` for several ``(name, key)`` rules at once, counted in one round trip to
    Redis; RateLimited names the longest wait when any of them is exhausted."""
    config = current_app.config
    verdicts = hits([(f"{name}:{key}", *parse(config[f"RATE_{name.upper()}"]))
                     for name, key in rules])
    waits = [retry_after for allowed, retry_after in verdicts if not allowed]
    if waits:
        raise RateLimited(max(waits))


def hit(key: str, limit: int, window_seconds: int) -> tuple[bool, int]:
    """Count one attempt for ``key`` in the current window of ``window_seconds``.

    Returns ``(allowed, retry_after)``: ``allowed`` is False once more than ``limit``
    attempts were made in the window, and ``retry_after`` is how many seconds are left in
    it (0 when allowed). Keys holding personal data (addresses) are hashed before they
    reach Redis."""
    return hits([(key, limit, window_seconds)])[0]


def hits(rules: list[tuple[str, int, int]]) -> list[tuple[bool, int]]:
    """``hit`` for each ``(key, limit, window_seconds)``, in one pipeline."""
    pipe = queue.get_redis().pipeline()
    for key, _, window_seconds in rules:
        name = "ratelimit:" + hashlib.sha256(key.encode()).hexdigest()[:32]
        pipe.set(name, 0, ex=window_seconds, nx=True)  # a new window starts with its expiry
        pipe.incr(name)
        pipe.ttl(name)
    replies = pipe.execute()
    verdicts = []
    for n, (_, limit, _) in enumerate(rules):
        count, ttl = replies[3 * n + 1], replies[3 * n + 2]  # after SET, INCR and TTL
        verdicts.append((True, 0) if count <= limit else (False, max(int(ttl), 1)))
    return verdicts


def parse(rule: str) -> tuple[int, int]:
    """``"10/3600"`` -> (10, 3600): a limit and its window in seconds (config values)."""
    limit, _, window = str(rule).partition("/")
    return int(limit), int(window or 60)
