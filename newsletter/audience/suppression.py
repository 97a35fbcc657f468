"""Addresses never to contact again, kept only as a keyed hash (HMAC-SHA256), so an erased
address is recognised on import or signup without being stored."""

import hmac
from collections.abc import Callable

from flask import current_app
from sqlalchemy import select

from newsletter.models import Suppression


class Reason:
    ERASED = "erased"  # GDPR erasure
    UNSUBSCRIBED = "unsubscribed"  # left everything
    BOUNCED = "bounced"  # hard bounce
    COMPLAINT = "complaint"


def address_hash(address: str) -> str:
    """The keyed hash of a normalized address (e-mail lower-cased, phone in E.164).
    SUPPRESSION_KEY defaults to SECRET_KEY; keep it stable, or old entries stop matching."""
    return address_hasher()(address)


def address_hasher() -> Callable[[str], str]:
    """``address_hash`` with the key read once: for hashing many addresses (imports), also
    outside the app context (a worker thread)."""
    key = (current_app.config.get("SUPPRESSION_KEY") or current_app.config["SECRET_KEY"])
    key_bytes = key.encode()

    def digest(address: str) -> str:
        return hmac.digest(key_bytes, address.strip().lower().encode(), "sha256").hex()

    return digest


def suppress(session, address: str, reason: str) -> Suppression:
    digest = address_hash(address)
    row = session.scalar(select(Suppression).where(Suppression.address_hash == digest))
    if row is None:
        row = Suppression(address_hash=digest, reason=reason)
        session.add(row)
        session.flush()
    return row


def is_suppressed(session, address: str) -> bool:
    digest = address_hash(address)
    return session.scalar(select(Suppression.id).where(Suppression.address_hash == digest)) \
        is not None
