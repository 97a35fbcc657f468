"""Phone numbers: E.164 with a country code, never guessed."""

import pytest

from newsletter.audience.addresses import InvalidAddress, normalize_phone
from newsletter.sms.numbers import InvalidPhone, sms_target, to_e164


@pytest.mark.parametrize(("typed", "e164"), [
    ("+421 905 123 456", "+421905123456"),
    ("+420 601-123-456", "+420601123456"),
    ("+49 (151) 23456789", "+4915123456789"),
    ("+358401234567", "+358401234567"),
])
def test_numbers_with_a_country_code(typed, e164):
    assert to_e164(typed) == e164
    assert sms_target(typed) == e164


@pytest.mark.parametrize("typed", ["0905 123 456", "905123456", "00421905123456",
                                   "421905123456"])
def test_a_number_without_country_code_is_never_guessed(typed):
    with pytest.raises(InvalidPhone, match="needs a country code") as info:
        to_e164(typed)
    assert info.value.reason == "no_country_code"


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "missing"), ("  ", "missing"), ("+", "unparsable"), ("+abc", "unparsable"),
    ("+421 12", "impossible"), ("+999 123456789", "unparsable"),
])
def test_refusals_carry_a_reason(typed, reason):
    with pytest.raises(InvalidPhone) as info:
        to_e164(typed)
    assert info.value.reason == reason


def test_sms_needs_a_valid_mobile_number():
    assert to_e164("+421 2 2123 4567") == "+421221234567"  # a Bratislava landline: stored
    for landline in ("+421 2 2123 4567", "+420 212 345 678", "+421 800 123 456"):
        with pytest.raises(InvalidPhone) as info:
            sms_target(landline)
        assert info.value.reason == "not_mobile"
    with pytest.raises(InvalidPhone) as info:
        sms_target("+421 999 999 999")  # possible length, no such range
    assert info.value.reason == "invalid"


def test_audience_uses_the_same_rule():
    assert normalize_phone("+421 905 123 456") == "+421905123456"
    with pytest.raises(InvalidAddress, match="needs a country code"):
        normalize_phone("0905 123 456")
