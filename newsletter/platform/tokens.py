"""Signed tokens for links in messages and pages: one salt per purpose, so a token made for
one purpose never passes for another."""

import base64
import binascii
import functools
import hashlib
import hmac
import json
import time

from flask import current_app

from newsletter.errors import DomainError


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


_to_json = json.JSONEncoder(separators=(",", ":")).encode
_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=").decode()


class Signer:
    """Tokens of one purpose: ``<base64url JSON>.<unix time in hex>.<MAC>``, the MAC being a
    128-bit keyed BLAKE2b over the rest with a key derived from the secret and the purpose.
    Built once per secret and purpose: bulk sending signs several tokens per message."""

    def __init__(self, secret: str, purpose: str):
        if purpose not in Purpose.ALL:
            raise ValueError(f"unknown token purpose {purpose!r}")
        self.key = hashlib.blake2b(f"newsletter.token.{purpose}".encode(),
                                   key=hashlib.blake2b(secret.encode()).digest(),
                                   digest_size=32).digest()

    def _mac(self, signed: str) -> str:
        return _b64(hashlib.blake2b(signed.encode(), key=self.key, digest_size=16).digest())

    def sign(self, payload) -> str:
        return self._sign(_to_json(payload))

    def sign_ids(self, *ids: int) -> str:
        """``sign([id, ...])`` without the JSON encoder: one message carries many links."""
        return self._sign("[" + ",".join(map(str, ids)) + "]")

    def _sign(self, payload_json: str) -> str:
        signed = f"{_b64(payload_json.encode())}.{int(time.time()):x}"
        return f"{signed}.{self._mac(signed)}"

    def verify(self, token: str, max_age: int | None = None):
        signed, _, mac = token.rpartition(".")
        data, _, stamp = signed.partition(".")
        if not data or not hmac.compare_digest(mac.encode(), self._mac(signed).encode()):
            raise InvalidToken()
        try:
            payload = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
            made = int(stamp, 16)
        except ValueError:
            raise InvalidToken() from None
        if max_age is not None and not 0 <= time.time() - made <= max_age:
            raise InvalidToken(expired=True)
        return payload


@functools.lru_cache(maxsize=64)
def _cached_signer(secret: str, purpose: str) -> Signer:
    return Signer(secret, purpose)


def signer(purpose: str) -> Signer:
    return _cached_signer(current_app.config["SECRET_KEY"], purpose)


def sign(purpose: str, payload) -> str:
    """A URL-safe token carrying ``payload`` (JSON-serializable; keep it small: ids)."""
    return signer(purpose).sign(payload)


def verify(purpose: str, token: str, max_age: int | None = None):
    """The payload, or InvalidToken (expired or tampered, or made for another purpose)."""
    return signer(purpose).verify(token, max_age)


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
