"""Each admin account's time zone: times are stored in UTC (naive), entered and shown in
the editor's own IANA zone, always with the zone named."""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import gettext

from newsletter.errors import DomainError
from newsletter.models import User

DEFAULT_ZONE = "UTC"


@lru_cache(maxsize=1)
def zones() -> list[str]:
    """The zones an account may choose, sorted (UTC first)."""
    return [DEFAULT_ZONE] + sorted(z for z in available_timezones()
                                   if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def check_zone(zone: str) -> str:
    if zone != DEFAULT_ZONE and zone not in zones():
        raise DomainError(gettext("Unknown time zone %(zone)r: choose one from the list.",
                                  zone=zone))
    return zone


def set_time_zone(session, user_id: int, zone: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise DomainError(gettext("That account does not exist."))
    user.time_zone = check_zone(zone)
    return user


def to_utc(local: datetime, zone: str) -> datetime:
    """A wall-clock time typed in ``zone`` as naive UTC (as stored)."""
    aware = local.replace(tzinfo=ZoneInfo(check_zone(zone or DEFAULT_ZONE)))
    return aware.astimezone(UTC).replace(tzinfo=None)


def from_utc(stored: datetime, zone: str) -> datetime:
    """A stored (naive UTC) time in ``zone`` (aware)."""
    return stored.replace(tzinfo=UTC).astimezone(ZoneInfo(zone or DEFAULT_ZONE))


def label(stored: datetime | None, zone: str) -> str:
    """``2026-12-01 09:00 CET (Europe/Bratislava)``; UTC as ``2026-12-01 08:00 UTC``."""
    if stored is None:
        return ""
    local = from_utc(stored, zone)
    text = local.strftime("%Y-%m-%d %H:%M")
    zone = zone or DEFAULT_ZONE
    if zone == DEFAULT_ZONE:
        return f"{text} UTC"
    return f"{text} {local.tzname()} ({zone})"
