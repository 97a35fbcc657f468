import itertools

import pytest
from itsdangerous import URLSafeTimedSerializer

from newsletter.platform import tokens
from newsletter.platform.tokens import InvalidToken, Purpose

SIGNED = [p for p in Purpose.ALL if p != Purpose.BOUNCE]  # BOUNCE has short tokens only


def test_round_trip(app):
    token = tokens.sign(Purpose.UNSUBSCRIBE, {"c": 7, "d": 9})
    assert tokens.verify(Purpose.UNSUBSCRIBE, token) == {"c": 7, "d": 9}


@pytest.mark.parametrize(("made", "used"), list(itertools.permutations(SIGNED, 2)))
def test_a_token_for_one_purpose_fails_for_another(app, made, used):
    token = tokens.sign(made, [1, 2])
    assert tokens.verify(made, token) == [1, 2]
    with pytest.raises(InvalidToken, match="not valid"):
        tokens.verify(used, token)


def test_tampered_token_fails(app):
    token = tokens.sign(Purpose.MESSAGE, [1, 2])
    with pytest.raises(InvalidToken):
        tokens.verify(Purpose.MESSAGE,
                      token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    forged = tokens.sign(Purpose.MESSAGE, [1, 3]).split(".")[0]
    with pytest.raises(InvalidToken):  # another payload under this token's signature
        tokens.verify(Purpose.MESSAGE, forged + token[token.index("."):])
    for junk in ("", ".", "..", "x.y.z", "WzEsMl0", "ä.ö.ü"):
        with pytest.raises(InvalidToken):
            tokens.verify(Purpose.MESSAGE, junk)


def test_a_token_made_with_another_secret_fails(app):
    token = tokens.sign(Purpose.MESSAGE, [1, 2])
    app.config["SECRET_KEY"] = "another-secret"
    with pytest.raises(InvalidToken):
        tokens.verify(Purpose.MESSAGE, token)


def test_expired_token_says_so(app):
    token = tokens.sign(Purpose.CONFIRM, {"s": 1})
    with pytest.raises(InvalidToken, match="expired") as raised:
        tokens.verify(Purpose.CONFIRM, token, max_age=-1)
    assert raised.value.expired
    assert tokens.verify(Purpose.CONFIRM, token, max_age=60) == {"s": 1}


def test_tokens_are_plain_itsdangerous_tokens_with_a_salt_per_purpose(app):
    """What the well-known library makes and reads: nothing hand-made in between."""
    library = URLSafeTimedSerializer(app.config["SECRET_KEY"],
                                     salt="newsletter.token.message")
    token = tokens.sign(Purpose.MESSAGE, [12, 345])
    assert library.loads(token, max_age=60) == [12, 345]
    assert tokens.verify(Purpose.MESSAGE, library.dumps([6, 7])) == [6, 7]
    assert library.dumps([12, 345]).split(".")[0] == token.split(".")[0]


def test_serializer_is_built_once_per_secret_and_purpose(app):
    assert tokens.signer(Purpose.MESSAGE) is tokens.signer(Purpose.MESSAGE)
    assert tokens.signer(Purpose.MESSAGE) is not tokens.signer(Purpose.UNSUBSCRIBE)
    before = tokens.signer(Purpose.MESSAGE)
    app.config["SECRET_KEY"] = "rotated"
    assert tokens.signer(Purpose.MESSAGE) is not before


def test_unknown_purpose_is_a_programming_error(app):
    with pytest.raises(ValueError):
        tokens.sign("click", [1, 2])
    with pytest.raises(ValueError):
        tokens.short_sign("click", 1)


def test_short_tokens_are_lowercase_hex_and_ignore_case(app):
    token = tokens.short_sign(Purpose.BOUNCE, 123456)
    assert token == token.lower() and len(token) <= 30
    assert tokens.short_verify(Purpose.BOUNCE, token.upper()) == 123456
    with pytest.raises(InvalidToken):
        tokens.short_verify(Purpose.UNSUBSCRIBE, token)
    for bad in ("", "zz-0", f"{token}0", token[:-1] + "é", "1e241-" + token.split("-")[1]):
        with pytest.raises(InvalidToken):
            tokens.short_verify(Purpose.BOUNCE, bad)
