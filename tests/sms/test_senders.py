"""The SMS sender: operator number, international numbers, short codes, alphanumeric names
once the owner allows them."""

import pytest

from newsletter.sms.senders import InvalidSender, addressing, clean


def test_empty_is_the_operators_number():
    assert clean("  ", alphanumeric_allowed=False) == ""
    assert addressing("").ton_npi == (0, 0)


def test_numbers():
    assert clean("+421 905 123 456", alphanumeric_allowed=False) == "+421905123456"
    sender = addressing("+421905123456")
    assert (sender.value, sender.ton_npi) == ("421905123456", (1, 1))
    assert clean("7777", alphanumeric_allowed=False) == "7777"
    assert addressing("7777").ton_npi == (3, 0)
    with pytest.raises(InvalidSender, match="country code"):
        clean("0905 123 456", alphanumeric_allowed=True)
    with pytest.raises(InvalidSender, match="not valid"):
        clean("+421 12", alphanumeric_allowed=True)


def test_alphanumeric_needs_permission():
    with pytest.raises(InvalidSender, match="permission"):
        clean("Shop", alphanumeric_allowed=False)
    assert clean("Shop & Co.", alphanumeric_allowed=True) == "Shop & Co."
    assert addressing("Shop & Co.").ton_npi == (5, 0)


@pytest.mark.parametrize(("value", "message"), [
    ("TwelveLetter", "at most 11"), ("Obchod€", "letters A-Z"), ("Čaj", "letters A-Z"),
    ("Shop\nX", "letters A-Z"),
])
def test_alphanumeric_rules(value, message):
    with pytest.raises(InvalidSender, match=message):
        clean(value, alphanumeric_allowed=True)
