"""Addresses never to contact again, kept only as a keyed hash (HMAC-SHA256), so an erased
address is recognised on import or signup without being stored."""

import hashlib
import hmac

from flask import current_app
from sqlalchemy import select

from .models import Suppression


class Reason:
    ERASED = "erased"  # GDPR erasure
    UNSUBSCRIBED = "unsubscribed"  # left everything
    BOUNCED = "bounced"  # hard bounce
    COMPLAINT = "complaint"


def address_hash(address: str) -> str:
    """The keyed hash of a normalized address (e-mail lower-cased, phone in E.164).
    SUPPRESSION_KEY defaults to SECRET_KEY; keep it stable, or old entries stop matching."""
    key = (current_app.config.get("SUPPRESSION_KEY") or current_app.config["SECRET_KEY"])
    return hmac.new(key.encode(), address.strip().lower().encode(), hashlib.sha256).hexdigest()


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
