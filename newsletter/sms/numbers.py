"""Phone numbers for SMS in E.164, with ``phonenumbers``. A number must carry its country
code (``+421…``): one without it is refused with that reason and never guessed from a
default region (seed 002)."""

import phonenumbers
from flask_babel import gettext
from phonenumbers import NumberParseException, PhoneNumberType

from newsletter.errors import DomainError

#: number types an SMS can reach (FIXED_LINE_OR_MOBILE: the plan cannot tell, e.g. +1)
TEXTABLE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE,
                      PhoneNumberType.PAGER, PhoneNumberType.PERSONAL_NUMBER,
                      PhoneNumberType.UNKNOWN})


class InvalidPhone(DomainError):
    """``reason`` is a short code for the recipients check; the message is for people."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def parse(number: str) -> phonenumbers.PhoneNumber:
    text = (number or "").strip()
    if not text:
        raise InvalidPhone(gettext("No phone number."), "missing")
    if not text.startswith("+"):
        raise InvalidPhone(gettext("phone %(number)s needs a country code (+421…)",
                                   number=repr(text)), "no_country_code")
    try:
        return phonenumbers.parse(text, None)
    except NumberParseException as exc:
        raise InvalidPhone(gettext("phone %(number)s is not a phone number: %(error)s",
                                   number=repr(text), error=exc), "unparsable") from exc


def to_e164(number: str) -> str:
    """A possible number with its country code, in E.164 (what contacts store)."""
    parsed = parse(number)
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhone(gettext("phone %(number)s is not a possible number",
                                   number=repr(number.strip())), "impossible")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def sms_target(number: str) -> str:
    """E.164 of a number an SMS may be sent to: valid in its country's numbering plan and
    not a fixed line, toll-free, premium-rate or similar number."""
    parsed = parse(number)
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(gettext("phone %(number)s is not a valid number",
                                   number=repr(number.strip())), "invalid")
    if phonenumbers.number_type(parsed) not in TEXTABLE:
        raise InvalidPhone(gettext("phone %(number)s cannot receive SMS (not a mobile number)",
                                   number=repr(number.strip())), "not_mobile")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
