"""Signed tokens for links in messages and pages: one salt per purpose, so a token made for
one purpose never passes for another."""

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
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"newsletter.{purpose}")


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
