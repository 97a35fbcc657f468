"""How addresses and names are written down: one spelling per mailbox for e-mail, E.164 for
phone numbers (a country code is required, never guessed: seed 002), language codes, and
names without line breaks (a name can end up in a mail header)."""

import re
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext

from newsletter.channels.headers import CONTROL
from newsletter.errors import DomainError
from newsletter.sms import numbers

LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")


class InvalidAddress(DomainError):
    pass


class InvalidName(DomainError):
    pass


def _what(what: str | None) -> str:
    """What the name is of, in the reader's language: callers pass it translated, or an
    English literal the catalogue may know."""
    return gettext(what) if what else gettext("A name")


def clean_name(value: str | None, what: str | None = None,
               max_length: int = 100) -> str | None:
    """A name as typed, trimmed (None when empty). Line breaks and other control
    characters are refused at every entry (forms, imports, signup): names reach mail
    headers (From, List-Id, a merged subject), where ``channels.headers`` folds them too."""
    value = (value or "").strip()
    if CONTROL.search(value):
        raise InvalidName(gettext("%(what)s cannot contain line breaks or control characters.",
                                  what=_what(what)))
    if len(value) > max_length:
        raise InvalidName(gettext("%(what)s can be at most %(max)d characters long.",
                                  what=_what(what), max=max_length))
    return value or None


def normalize_email(address: str) -> str:
    """One spelling per mailbox: validated, IDN domain in ASCII, all lower case."""
    try:
        info = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(gettext("%(address)s is not a valid e-mail address: %(reason)s",
                                     address=repr(address), reason=exc)) from exc
    return info.ascii_email.lower() if info.ascii_email else info.normalized.lower()


def normalize_phone(number: str) -> str:
    """E.164; the number must carry its country code (``sms.numbers``)."""
    try:
        return numbers.to_e164(number)
    except numbers.InvalidPhone as exc:
        raise InvalidAddress(str(exc)) from exc


@lru_cache(maxsize=256)
def is_language(code: str) -> bool:
    """A language code like ``sk`` or ``de-at``."""
    return LANGUAGE.fullmatch(code) is not None
