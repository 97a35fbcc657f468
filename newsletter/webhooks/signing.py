"""The signature of a webhook request, for us and for receivers.

Each POST carries ``Newsletter-Signature: t=<unix time>,v1=<hex>``, where the hex is
HMAC-SHA256 with the endpoint's secret over ``<unix time>.<raw body>``. A receiver
recomputes it over the bytes it got, compares in constant time, and refuses a time more
than a few minutes away from its clock (a replayed request)."""

import hashlib
import hmac
import secrets

HEADER = "Newsletter-Signature"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                    hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, value: str, body: bytes, now: float,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether ``value`` (the header) signs ``body`` with ``secret`` at a time within
    ``tolerance`` seconds of ``now``."""
    fields = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), fields.get("v1", ""))
