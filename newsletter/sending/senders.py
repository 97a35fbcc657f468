"""Sender identities: who a campaign is from, how fast it may go, and its DKIM key."""

import re

from flask_babel import gettext

from newsletter.audience.addresses import InvalidAddress, InvalidName, clean_name, normalize_email
from newsletter.errors import DomainError
from newsletter.models import SenderIdentity
from newsletter.platform import audit, limits

from .dkim import dns_record, generate_private_key
from .messages import domain_of

FIELDS = ("name", "from_name", "from_email", "reply_to", "rate_limit", "rate_period",
          "dkim_selector", "website_url", "contact_url", "privacy_url")
URL_FIELDS = ("website_url", "contact_url", "privacy_url")


def save_sender(session, sender_id: int | None, actor: str | None = None,
                **values) -> SenderIdentity:
    if values.get("rate_period") not in ("hour", "minute", "second"):
        raise DomainError(gettext("The rate is counted per hour, minute or second."))
    values = {**values, **_header_fields(values)}
    sender = SenderIdentity() if sender_id is None else session.get(SenderIdentity, sender_id)
    if sender is None:
        raise DomainError(gettext("That sender does not exist."))
    before = {name: getattr(sender, name) for name in FIELDS}
    for name in FIELDS:  # the web pages are optional (checked by newsletter.compliance)
        setattr(sender, name, values.get(name) if name in URL_FIELDS else values[name])
    sender.reply_to = sender.reply_to or None  # optional fields: empty means none
    sender.dkim_selector = sender.dkim_selector or None
    for name in URL_FIELDS:
        setattr(sender, name, _web_address(getattr(sender, name)))
    session.add(sender)
    session.flush()
    changed = [f"{name}: {before[name] or '—'} → {getattr(sender, name) or '—'}"
               for name in FIELDS if before[name] != getattr(sender, name)]
    if actor and changed:
        audit.record(session, actor, "sender.saved", f"sender {sender.id} {sender.from_email}",
                     ("created; " if sender_id is None else "") + "; ".join(changed))
    return sender


def _web_address(value: str | None) -> str | None:
    value = (value or "").strip()
    if value and not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value):
        raise DomainError(gettext("%(value)s is not a web address (https://...).", value=value))
    return value or None


def _header_fields(values: dict) -> dict:
    """The fields that go into From and Reply-To: one-line names, valid addresses."""
    try:
        checked = {"name": clean_name(values.get("name"), "The name") or "",
                   "from_name": clean_name(values.get("from_name"), "The From name") or ""}
        for field in ("from_email", "reply_to"):
            address = (values.get(field) or "").strip()
            if address or field == "from_email":
                normalize_email(address)  # valid, and so one line; kept as typed
            checked[field] = address or None
    except (InvalidName, InvalidAddress) as exc:
        raise DomainError(str(exc)) from None
    return checked


def generate_dkim_key(session, sender_id: int, selector: str | None = None,
                      actor: str | None = None) -> SenderIdentity:
    """A new 2048-bit key; the old one stops signing at once, so publish the new DNS record
    (under a new selector) before switching in production."""
    sender = session.get(SenderIdentity, sender_id)
    if sender is None:
        raise DomainError(gettext("That sender does not exist."))
    if not sender.dkim_private_key:  # a new own-domain sender (a new key replaces one)
        limits.check(session, "own_domain")
    sender.dkim_selector = selector or sender.dkim_selector or "nl1"
    sender.dkim_domain = domain_of(sender.from_email)
    sender.dkim_private_key = generate_private_key()
    session.flush()
    if actor:
        audit.record(session, actor, "sender.dkim", f"sender {sender.id} {sender.from_email}",
                     f"selector {sender.dkim_selector}")
    return sender


def dns_instructions(sender: SenderIdentity) -> dict | None:
    """The TXT record to publish, or None when the sender has no key yet."""
    if not sender.dkim_private_key:
        return None
    return {"name": f"{sender.dkim_selector}._domainkey.{sender.dkim_domain}",
            "type": "TXT", "value": dns_record(sender.dkim_private_key)}
