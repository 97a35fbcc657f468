import pytest

from newsletter.platform import tokens
from newsletter.platform.tokens import InvalidToken, Purpose


def test_round_trip(app):
    token = tokens.sign(Purpose.UNSUBSCRIBE, {"c": 7, "d": 9})
    assert tokens.verify(Purpose.UNSUBSCRIBE, token) == {"c": 7, "d": 9}


def test_a_token_for_one_purpose_fails_for_another(app):
    token = tokens.sign(Purpose.WEBVIEW, {"d": 9})
    with pytest.raises(InvalidToken, match="not valid"):
        tokens.verify(Purpose.UNSUBSCRIBE, token)


def test_tampered_token_fails(app):
    token = tokens.sign(Purpose.CLICK, {"l": 1})
    with pytest.raises(InvalidToken):
        tokens.verify(Purpose.CLICK, token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])


def test_expired_token_says_so(app):
    token = tokens.sign(Purpose.CONFIRM, {"s": 1})
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(Purpose.CONFIRM, token, max_age=-1)
