"""A small fixed-window rate limiter in Redis, shared by every web and worker process."""

import hashlib

from . import queue


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
