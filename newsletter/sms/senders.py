"""Who an SMS comes from (seed 002): the operator's number by default, or, once the owner
enables it, an alphanumeric name of at most 11 characters. Alphanumeric senders take GSM-7
letters, digits, space and ``. - _ & +`` in ASCII (what SMSCs pass through in ``source_addr``);
a numeric sender is an international number (E.164) or a short code of 3 to 8 digits."""

import re
from dataclasses import dataclass

from flask_babel import gettext

from newsletter.errors import DomainError

from .numbers import InvalidPhone, to_e164

ALPHANUMERIC = re.compile(r"[A-Za-z0-9 .\-_&+]{1,11}")
SHORT_CODE = re.compile(r"[0-9]{3,8}")
ALPHANUMERIC_MAX = 11

#: kinds of sender: SMPP type of number (TON) and numbering plan (NPI) of each
DEFAULT = "default"  # empty: the gateway's own number
INTERNATIONAL = "international"
SHORT = "short"
NAME = "alphanumeric"
ADDRESSING = {DEFAULT: (0, 0), INTERNATIONAL: (1, 1), SHORT: (3, 0), NAME: (5, 0)}


class InvalidSender(DomainError):
    pass


@dataclass(frozen=True)
class Sender:
    kind: str
    value: str  # as sent in source_addr: no "+" for international numbers

    @property
    def ton_npi(self) -> tuple[int, int]:
        return ADDRESSING[self.kind]


def clean(value: str, *, alphanumeric_allowed: bool) -> str:
    """The sender as stored on a campaign ("" = the operator's number), or InvalidSender."""
    value = (value or "").strip()
    if not value:
        return ""
    if value.startswith("+"):
        try:
            return to_e164(value)
        except InvalidPhone as exc:
            raise InvalidSender(gettext("The sender number is not valid: %(error)s",
                                        error=exc)) from None
    if SHORT_CODE.fullmatch(value):
        return value
    if value.replace(" ", "").isdigit():
        raise InvalidSender(gettext("A sender number needs its country code (+421…); a short "
                                    "code has 3 to 8 digits."))
    if not alphanumeric_allowed:
        raise InvalidSender(gettext("An alphanumeric sender needs the owner's permission; use "
                                    "a number with its country code (+421…) or leave it "
                                    "empty for the operator's number."))
    if len(value) > ALPHANUMERIC_MAX:
        raise InvalidSender(gettext("An alphanumeric sender has at most %(max)d characters.",
                                    max=ALPHANUMERIC_MAX))
    if not ALPHANUMERIC.fullmatch(value):
        raise InvalidSender(gettext("An alphanumeric sender takes letters A-Z, digits, spaces "
                                    "and . - _ & + only."))
    return value


def addressing(value: str) -> Sender:
    """How a stored sender goes on the wire."""
    if not value:
        return Sender(DEFAULT, "")
    if value.startswith("+"):
        return Sender(INTERNATIONAL, value[1:])
    if SHORT_CODE.fullmatch(value):
        return Sender(SHORT, value)
    return Sender(NAME, value)
