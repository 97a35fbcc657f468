"""A sender identity's domain checks, together and cached (SenderCheck): DNS (DKIM, SPF,
DMARC), the website, and the platform's brand word in the domain. The checklist uses the
cached result while it is younger than SENDER_CHECK_MAX_AGE; "check again" redoes it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext

from newsletter.errors import DomainError
from newsletter.models import SenderCheck, SenderIdentity, utcnow
from newsletter.sending.messages import domain_of
from newsletter.texts import N_, stored

from . import dnscheck, webcheck
from .items import BLOCKING, OK, WARNING, Item
from .unsubscribe import fold


@dataclass
class DomainResult:
    checked_at: datetime
    items: list[Item]

    @property
    def age(self) -> timedelta:
        return utcnow() - self.checked_at


def brand_item(sender: SenderIdentity) -> Item:
    brand = fold(current_app.config["PLATFORM_BRAND"] or "").strip()
    domain = domain_of(sender.from_email)
    if not brand:
        return Item("brand", OK, stored(N_("No platform brand word is configured "
                                           "(PLATFORM_BRAND).")))
    if brand in fold(domain):
        return Item("brand", BLOCKING, stored(N_("The sending domain %(domain)s carries the "
                                                 "platform's name “%(brand)s”: send from your "
                                                 "own domain."), domain=domain, brand=brand))
    return Item("brand", OK, stored(N_("The sending domain does not carry “%(brand)s”."),
                                    brand=brand))


def run_checks(sender: SenderIdentity) -> list[Item]:
    """Every check of the sender's domain, now (network: DNS and HTTP)."""
    items = [brand_item(sender)]
    r = dnscheck.resolver()
    for check in (dnscheck.dkim_item, dnscheck.spf_item, dnscheck.dmarc_item):
        try:
            items.append(check(r, sender))
        except dnscheck.LookupFailed as exc:
            key = check.__name__.removesuffix("_item")
            items.append(Item(key, WARNING, stored(N_("DNS did not answer, so this was not "
                                                      "checked: %(error)s."), error=exc)))
    items.extend(webcheck.website_items(sender))
    return items


def check_sender(session, sender_id: int, force: bool = False) -> DomainResult:
    """The sender's checks: cached while fresh, unless ``force``."""
    sender = session.get(SenderIdentity, sender_id)
    if sender is None:
        raise DomainError(gettext("That sender does not exist."))
    cached = session.get(SenderCheck, sender_id)
    max_age = timedelta(seconds=current_app.config["SENDER_CHECK_MAX_AGE"])
    if cached and not force and utcnow() - cached.checked_at < max_age:
        return DomainResult(cached.checked_at, [Item(**item) for item in cached.items])
    items = run_checks(sender)
    cached = cached or SenderCheck(sender_id=sender_id)
    cached.checked_at = utcnow()
    cached.items = [{"key": i.key, "level": i.level, "message": i.message} for i in items]
    session.add(cached)
    session.flush()
    return DomainResult(cached.checked_at, items)


def cached_result(session, sender_id: int) -> DomainResult | None:
    cached = session.get(SenderCheck, sender_id)
    if cached is None:
        return None
    return DomainResult(cached.checked_at, [Item(**item) for item in cached.items])


def dkim_published(session, sender_id: int) -> bool:
    """Whether the last check found our DKIM key in DNS (the sender page says "signed"
    only then)."""
    result = cached_result(session, sender_id)
    return bool(result) and any(i.key == "dkim" and i.level == OK for i in result.items)
