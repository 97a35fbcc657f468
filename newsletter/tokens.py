"""Signed tokens for links in messages and pages: one salt per purpose, so a token made for
one purpose never passes for another."""

import functools
import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .errors import DomainError


class Purpose:
    CONFIRM = "confirm"  # double opt-in confirmation
    UNSUBSCRIBE = "unsubscribe"  # /u/<token> and the RFC 8058 one-click POST
    WEBVIEW = "webview"  # /m/<token>
    CLICK = "click"  # /c/<token>
    PROFILE = "profile"  # /p/<code>?sig=... and one-time profile login links
    ERASURE = "erasure"  # confirming a deletion request
    BOUNCE = "bounce"  # VERP return path bounces+<token>@domain
    ALL = (CONFIRM, UNSUBSCRIBE, WEBVIEW, CLICK, PROFILE, ERASURE, BOUNCE)


class InvalidToken(DomainError):
    def __init__(self, expired: bool = False):
        super().__init__("This link has expired." if expired else "This link is not valid.")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in Purpose.ALL:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return _cached_serializer(current_app.config["SECRET_KEY"], purpose)


@functools.lru_cache(maxsize=64)
def _cached_serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    """Built once per secret and purpose: bulk sending signs several tokens per message."""
    return URLSafeTimedSerializer(secret, salt=f"newsletter.{purpose}")


def sign(purpose: str, payload) -> str:
    """A URL-safe token carrying ``payload`` (JSON-serializable; keep it small: ids)."""
    return _serializer(purpose).dumps(payload)


def verify(purpose: str, token: str, max_age: int | None = None):
    """The payload, or InvalidToken (expired or tampered, or made for another purpose)."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except BadSignature as exc:
        raise InvalidToken() from exc


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
    if not hmac.compare_digest(mac, _short_mac(purpose, value)):
        raise InvalidToken()
    return value


def _short_mac(purpose: str, number: int) -> str:
    if purpose not in Purpose.ALL:
        raise ValueError(f"unknown token purpose {purpose!r}")
    key = f"newsletter.{purpose}:{current_app.config['SECRET_KEY']}".encode()
    return hmac.new(key, str(number).encode(), hashlib.sha256).hexdigest()[:12]
