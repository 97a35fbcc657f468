"""Shared column helpers for the models."""

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.functions import GenericFunction

#: JSON everywhere, JSONB on PostgreSQL (indexable, compact).
JSONType = JSON().with_variant(JSONB(), "postgresql")


class unicode_lower(GenericFunction):  # noqa: N801 (an SQL function's name)
    """``lower()`` that folds every letter (Ž as well as Z): PostgreSQL's ``lower`` does;
    SQLite's folds only ASCII, so there it is a Python function registered on each
    connection (``extensions``)."""

    type = String()
    inherit_cache = True


@compiles(unicode_lower, "sqlite")
def _unicode_lower_sqlite(element, compiler, **kw):
    return f"nl_lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower)
def _unicode_lower_default(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


def utcnow() -> datetime:
    """Naive UTC: both SQLite and PostgreSQL store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


def created_at_column(index: bool = False) -> Mapped[datetime]:
    return mapped_column(DateTime, default=utcnow, nullable=False, index=index)


class Channel:
    EMAIL = "email"
    SMS = "sms"
    ALL = (EMAIL, SMS)
