"""The clock that waits measured in hours read: when a local-time delivery is due, when an
A/B test's wait is over. Naive UTC like every stored time. Tests move it forward
(``advance``) instead of sleeping for hours; in production the offset stays zero, so it is
the wall clock. Leases, retries and rate limits keep the wall clock (``models.utcnow``):
they measure seconds of real work."""

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def advance(by: timedelta) -> None:
    """Move the clock forward (tests)."""
    global _offset
    _offset += by


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def offset() -> timedelta:
    """How far this clock is ahead of the wall clock (zero but in tests)."""
    return _offset
