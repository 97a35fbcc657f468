"""The Redis rate limiter shared by public endpoints."""

import time

from newsletter.platform import ratelimit


def test_limit_per_key_and_window(app):
    assert [ratelimit.hit("k", 2, 60)[0] for _ in range(3)] == [True, True, False]
    allowed, retry_after = ratelimit.hit("k", 2, 60)
    assert not allowed and 0 < retry_after <= 60
    assert ratelimit.hit("other", 2, 60) == (True, 0)


def test_a_new_window_starts_after_expiry(app):
    assert ratelimit.hit("w", 1, 1)[0]
    assert not ratelimit.hit("w", 1, 1)[0]
    time.sleep(2.1)
    assert ratelimit.hit("w", 1, 1)[0]


def test_parse_rules():
    assert ratelimit.parse("10/3600") == (10, 3600)
