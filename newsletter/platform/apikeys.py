"""API keys for integrators: made by owners, shown once, stored as a hash, scoped per
resource (read or write), rate limited per key, revocable.

A token is ``nl_<prefix>_<secret>``; the database keeps the SHA-256 of the whole token (it
carries 256 random bits, so a fast hash is enough) and the prefix to tell keys apart. The
time a key was last used is kept in Redis for every request (reads change no rows) and in
the database for requests that write."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from newsletter import queue
from newsletter.errors import DomainError
from newsletter.models import ApiKey, utcnow

from . import audit, ratelimit

#: the resources a key can be scoped to; each has a read and a write scope
RESOURCES = ("lists", "contacts", "subscriptions", "campaigns", "webhooks", "transactional",
             "blocklist", "imports", "sms", "senders", "segments")
SCOPES = tuple(f"{r}:{access}" for r in RESOURCES for access in ("read", "write"))
LAST_USED_KEY = "apikey:last-used"
DEFAULT_RATE = "600/60"


class ApiKeyError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Unauthorized(DomainError):
    """No key, an unknown key or a revoked key."""


class Forbidden(DomainError):
    """The key lacks the scope the operation needs."""


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    token: str  # shown to the owner once, never stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(session, user_id: int | None, name: str, scopes: list[str],
               rate_limit: str = DEFAULT_RATE, actor: str | None = None) -> NewKey:
    """A new key (its token is shown once); with ``actor``, in the audit log."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApiKeyError(gettext("Give the key a name of at most 100 characters."), "name")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ApiKeyError(gettext("Unknown scopes: %(scopes)s.", scopes=", ".join(unknown)),
                          "scopes")
    if not scopes:
        raise ApiKeyError(gettext("Choose at least one scope."), "scopes")
    try:
        limit, window = ratelimit.parse(rate_limit)
    except ValueError:
        limit = window = 0
    if limit < 1 or window < 1:
        raise ApiKeyError(gettext("Write the rate limit as requests/seconds, e.g. 600/60."),
                          "rate_limit")
    prefix = secrets.token_hex(4)
    token = f"nl_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, prefix=prefix, secret_hash=token_hash(token),
                 scopes=sorted(set(scopes)), rate_limit=f"{limit}/{window}",
                 created_by_id=user_id)
    session.add(key)
    session.flush()
    if actor:
        audit.record(session, actor, "apikey.created", f"API key {key.prefix} “{key.name}”",
                     f"scopes {' '.join(key.scopes)}; {key.rate_limit}")
    return NewKey(key, token)


def authenticate(session, token: str | None, scope: str, writes: bool) -> ApiKey:
    """The key behind ``token`` if it is valid and has ``scope``; counts the request
    against the key's rate limit (RateLimited) and records the use."""
    if not token:
        raise Unauthorized("Send an API key: Authorization: Bearer <key>.")
    key = session.scalar(select(ApiKey).where(ApiKey.secret_hash == token_hash(token)))
    if key is None or key.revoked_at is not None:
        raise Unauthorized("This API key is not valid (unknown or revoked).")
    allowed, retry_after = ratelimit.hit(f"apikey:{key.id}", *ratelimit.parse(key.rate_limit))
    if not allowed:
        raise ratelimit.RateLimited(retry_after)
    if scope not in key.scopes:
        raise Forbidden(f"This API key lacks the scope {scope}.")
    now = utcnow()
    queue.get_redis().hset(LAST_USED_KEY, str(key.id), now.isoformat())
    if writes:
        key.last_used_at = now
    return key


def last_used(keys: list[ApiKey]) -> dict[int, datetime | None]:
    """When each key was last used: Redis (every request) or the database (writes)."""
    stored = queue.get_redis().hmget(LAST_USED_KEY, [str(k.id) for k in keys]) if keys else []
    result = {}
    for key, value in zip(keys, stored, strict=True):
        seen = datetime.fromisoformat(value.decode()) if value else None
        times = [t for t in (seen, key.last_used_at) if t is not None]
        result[key.id] = max(times) if times else None
    return result


def all_keys(session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None),
                                                        ApiKey.name)))


def revoke(session, key_id: int, actor: str | None = None) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise ApiKeyError(gettext("That API key does not exist."))
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        if actor:
            audit.record(session, actor, "apikey.revoked",
                         f"API key {key.prefix} “{key.name}”")
    session.flush()
    return key
