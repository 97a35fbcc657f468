"""Idempotency keys for the API's creating POSTs: the first answer under a key is kept
with a fingerprint of the request; the same request again gets that answer (nothing is
created twice), a different request under the same key is refused. Answers are kept for
KEEP (then the key may be used again)."""

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select

from newsletter.errors import DomainError
from newsletter.models import ApiIdempotency, utcnow

KEEP = timedelta(hours=24)


class KeyReused(DomainError):
    """The Idempotency-Key was used before for a different request."""


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join((method.encode(), path.encode(), body))).hexdigest()


def stored(session, api_key_id: int, key: str, print_: str) -> ApiIdempotency | None:
    """The kept answer for this key, or None; KeyReused when the request differs."""
    row = session.scalar(select(ApiIdempotency).where(
        ApiIdempotency.api_key_id == api_key_id, ApiIdempotency.key == key,
        ApiIdempotency.created_at >= utcnow() - KEEP))
    if row is not None and row.fingerprint != print_:
        raise KeyReused("This Idempotency-Key was used for a different request.")
    return row


def keep(session, api_key_id: int, key: str, print_: str, status: int, body: dict) -> None:
    """Keep the answer (in the caller's transaction, with what it created)."""
    session.execute(delete(ApiIdempotency).where(
        ApiIdempotency.api_key_id == api_key_id, ApiIdempotency.key == key))
    session.add(ApiIdempotency(api_key_id=api_key_id, key=key, fingerprint=print_,
                               status_code=status, body=body))
    session.flush()
