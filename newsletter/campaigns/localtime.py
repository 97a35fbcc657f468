"""Local-time delivery: "deliver at 09:00 in each recipient's time zone", for any campaign.

At start each delivery gets the next moment it is 09:00 (the campaign's
``local_send_time``) where its recipient lives, as ``Delivery.not_before`` (naive UTC) with
the zone it was worked out in (``Delivery.local_zone``). The zone is, first found:

1. the contact's own (``Contact.time_zone``: chosen on the profile, or set by the API),
2. an imported field: the contact's attribute ``time_zone`` (or ``timezone``, ``tz``),
3. the country of the contact's phone, when its number names one zone only
   (``phonenumbers.timezone``; +421… is Europe/Bratislava, a +1 212 number
   America/New_York, an Australian mobile names eight zones and so none),
4. the zone of the account that created the campaign, else UTC.

A time already past today in a zone means tomorrow's. The claims skip a delivery until its
moment (``sending.claims``); every zone's share goes out through the same sender's rate
limit, and the run that finds nothing due schedules itself for the next moment. Times are
read on ``platform.clock`` so tests need not wait for 09:00."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from flask_babel import gettext
from phonenumbers import timezone as phone_zones
from sqlalchemy import func, select, update

from newsletter.models import Campaign, CampaignStatus, Contact, Delivery, DeliveryState, User
from newsletter.platform import clock

from .drafts import CampaignError, get_campaign, status_name

_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
ATTRIBUTE_NAMES = ("time_zone", "timezone", "tz")
_CHUNK = 500


def parse_time(value: str) -> time | None:
    """"09:00" -> 09:00; "" -> None (send at once)."""
    value = (value or "").strip()
    if not value:
        return None
    match = _TIME.fullmatch(value)
    if match is None:
        raise CampaignError(gettext("Give the hour as HH:MM, e.g. 09:00."), "local_send_time")
    return time(int(match[1]), int(match[2]))


def configure(session, campaign_id: int, local_send_time: str) -> Campaign:
    """Turn local-time delivery on ("09:00") or off ("") for a draft or scheduled
    campaign."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise CampaignError(gettext("The campaign is %(status)s; local-time delivery is set "
                                    "before it starts.", status=status_name(campaign.status)))
    at = parse_time(local_send_time)
    campaign.local_send_time = at.strftime("%H:%M") if at else ""
    session.flush()
    return campaign


def valid_zone(name) -> str | None:
    if not isinstance(name, str) or not name or name.startswith(("Etc/Unknown", "/")):
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def phone_zone(number: str | None) -> str | None:
    """The zone of a phone number's area, when it names exactly one."""
    if not number:
        return None
    try:
        zones = phone_zones.time_zones_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None
    return valid_zone(zones[0]) if len(zones) == 1 else None


def zone_of(own: str | None, attributes: dict | None, phone: str | None,
            fallback: str) -> str:
    """The recipient's zone by the rules in the module's docstring."""
    if zone := valid_zone(own):
        return zone
    for name in ATTRIBUTE_NAMES:
        if zone := valid_zone((attributes or {}).get(name)):
            return zone
    return phone_zone(phone) or fallback


def next_local(at: time, zone: str, now: datetime) -> datetime:
    """The first moment at or after ``now`` (naive UTC) when the clock in ``zone`` reads
    ``at``, as naive UTC."""
    tz = ZoneInfo(zone)
    local_now = now.replace(tzinfo=UTC).astimezone(tz)
    for days in range(3):
        day = local_now.date() + timedelta(days=days)
        moment = datetime.combine(day, at, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
        if moment >= now:
            return moment
    raise AssertionError("unreachable: a local time recurs every day")


def account_zone(session, campaign: Campaign) -> str:
    user = session.get(User, campaign.created_by_id) if campaign.created_by_id else None
    return valid_zone(user.time_zone if user else None) or "UTC"


def assign(session, campaign: Campaign) -> int:
    """At start: every queued delivery's moment and zone. Returns how many got one."""
    at = parse_time(campaign.local_send_time)
    if at is None:
        return 0
    now, fallback = clock.now(), account_zone(session, campaign)
    rows = session.execute(
        select(Delivery.id, Contact.time_zone, Contact.attributes, Contact.phone,
               Delivery.address)
        .outerjoin(Contact, Contact.id == Delivery.contact_id)
        .where(Delivery.campaign_id == campaign.id,
               Delivery.state == DeliveryState.QUEUED))
    groups: dict[str, list[int]] = defaultdict(list)
    for delivery_id, own, attributes, phone, address in rows:
        number = phone or (address if address.startswith("+") else None)
        groups[zone_of(own, attributes, number, fallback)].append(delivery_id)
    for zone, ids in groups.items():
        moment = next_local(at, zone, now)
        for start in range(0, len(ids), _CHUNK):
            session.execute(update(Delivery).where(
                Delivery.id.in_(ids[start:start + _CHUNK]))
                .values(not_before=moment, local_zone=zone)
                .execution_options(synchronize_session=False))
    session.flush()
    return sum(len(ids) for ids in groups.values())


@dataclass
class Waiting:
    moment: datetime  # naive UTC
    zone: str
    count: int

    @property
    def local(self) -> datetime:
        return self.moment.replace(tzinfo=UTC).astimezone(ZoneInfo(self.zone))


def waiting(session, campaign_id: int) -> list[Waiting]:
    """The status tab: what waits for which local hour, per moment and zone, soonest
    first (an A/B test's rest waiting for its winner is counted by its hour too)."""
    rows = session.execute(
        select(Delivery.not_before, Delivery.local_zone, func.count())
        .where(Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.QUEUED,
               Delivery.not_before > clock.now())
        .group_by(Delivery.not_before, Delivery.local_zone)
        .order_by(Delivery.not_before, Delivery.local_zone)).all()
    return [Waiting(moment, zone or "UTC", count) for moment, zone, count in rows]
