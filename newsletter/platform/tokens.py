"""Signed tokens for links in messages and pages, made and checked by itsdangerous with one
salt per purpose, so a token made for one purpose never passes for another.

Every purpose uses ``URLSafeTimedSerializer``. Confirmation, profile and erasure tokens
expire (``verify(..., max_age=...)``); message and unsubscribe tokens are never checked for
age today, but one kind of token keeps ``max_age`` meaning the same for every purpose and
lets old message links be expired later without a new format. The timestamp costs seven
characters and well under a microsecond.

Speed: bulk sending signs about three tokens per message (the message token its click
links, open pixel and web view share; the unsubscribe link; the profile link), so a
serializer is built once per secret and purpose and reused. Payloads are a few ids, which
zlib never makes shorter; the library still tries on every ``dumps`` (about 50 µs for a
tiny payload, more than all the rest), so ``_Serializer`` does not try, and it keeps the
one signer of its salt instead of building one per call. Its tokens are the ones the
library makes for these payloads, and it reads them as usual. Signing stays the library's
(HMAC-SHA1 over the payload and timestamp, key derived from the secret and the salt).

The short tokens of mail addresses (VERP ``bounces+<token>@``, ``unsubscribe+<token>@``)
are not itsdangerous tokens: a local part is at most 64 characters and mail systems may
change its case, while itsdangerous tokens are case-sensitive base64 of 40 characters and
more. They are lowercase hex of an HMAC from the standard library's ``hmac`` module."""

import functools
import hashlib
import hmac

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer

from newsletter.errors import DomainError


class Purpose:
    CONFIRM = "confirm"  # double opt-in confirmation
    UNSUBSCRIBE = "unsubscribe"  # /u/<token> and the RFC 8058 one-click POST
    MESSAGE = "message"  # one per message: /c/<token>/<link>, /o/<token>.gif, /m/<token>
    PROFILE = "profile"  # /p/<code>?s=... and one-time profile login links
    ERASURE = "erasure"  # confirming a deletion request
    BOUNCE = "bounce"  # VERP return path bounces+<short token>@domain
    SMS_REPORT = "sms-report"  # one SMS delivery's receipt, handed back by the HTTP gateway
    SMS_INBOUND = "sms-inbound"  # /sms/inbound/<token>: one HTTP gateway's replies (MO)
    ACCOUNT = "account-password"  # /admin/password/<token>: an invited or reset account
    ALL = (CONFIRM, UNSUBSCRIBE, MESSAGE, PROFILE, ERASURE, BOUNCE, SMS_REPORT, SMS_INBOUND,
           ACCOUNT)


class InvalidToken(DomainError):
    def __init__(self, expired: bool = False):
        super().__init__(gettext("This link has expired.") if expired
                         else gettext("This link is not valid."))
        self.expired = expired


class _Serializer(URLSafeTimedSerializer):
    """``URLSafeTimedSerializer`` without the zlib attempt, reusing one signer (see the
    module docstring)."""

    def __init__(self, secret: str, salt: str):
        super().__init__(secret, salt=salt)
        self._signer = super().make_signer(self.salt)

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))

    def make_signer(self, salt=None):
        if salt is None or salt == self.salt:
            return self._signer  # the library would build one per call
        return super().make_signer(salt)


@functools.lru_cache(maxsize=64)
def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    if purpose not in Purpose.ALL:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return _Serializer(secret, salt=f"newsletter.token.{purpose}")


def signer(purpose: str) -> URLSafeTimedSerializer:
    """The purpose's serializer, built once per secret and purpose: bulk sending calls its
    ``dumps`` for every message."""
    return _serializer(current_app.config["SECRET_KEY"], purpose)


def sign(purpose: str, payload) -> str:
    """A URL-safe token carrying ``payload`` (JSON-serializable; keep it small: ids)."""
    return signer(purpose).dumps(payload)


def verify(purpose: str, token: str, max_age: int | None = None):
    """The payload, or InvalidToken (expired or tampered, or made for another purpose)."""
    try:
        return signer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken(expired=True) from None
    except BadData:
        raise InvalidToken() from None


def verify_timed(purpose: str, token: str, max_age: int | None = None):
    """``(payload, signed_at)``: like ``verify``, with the second the token was made (naive
    UTC, as the models store times)."""
    try:
        payload, signed_at = signer(purpose).loads(token, max_age=max_age,
                                                   return_timestamp=True)
    except SignatureExpired:
        raise InvalidToken(expired=True) from None
    except BadData:
        raise InvalidToken() from None
    return payload, signed_at.replace(tzinfo=None)


def short_sign(purpose: str, number: int) -> str:
    """A compact token for one id where length matters (an e-mail local part is at most 64
    characters): ``<id in hex>-<12 hex of HMAC>``. It does not expire."""
    return f"{number:x}-{_short_mac(purpose, number)}"


def short_verify(purpose: str, token: str) -> int:
    number, _, mac = token.lower().partition("-")
    try:
        value = int(number, 16)
    except ValueError:
        raise InvalidToken() from None
    if not hmac.compare_digest(mac.encode(), _short_mac(purpose, value).encode()):
        raise InvalidToken()
    return value


def _short_mac(purpose: str, number: int) -> str:
    if purpose not in Purpose.ALL:
        raise ValueError(f"unknown token purpose {purpose!r}")
    key = f"newsletter.{purpose}:{current_app.config['SECRET_KEY']}".encode()
    return hmac.new(key, str(number).encode(), hashlib.sha256).hexdigest()[:12]
