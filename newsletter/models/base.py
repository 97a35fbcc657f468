"""Shared column helpers for the models."""

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

#: JSON everywhere, JSONB on PostgreSQL (indexable, compact).
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Naive UTC: both SQLite and PostgreSQL store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


def created_at_column(index: bool = False) -> Mapped[datetime]:
    return mapped_column(DateTime, default=utcnow, nullable=False, index=index)


class Channel:
    EMAIL = "email"
    SMS = "sms"
    ALL = (EMAIL, SMS)
