"""Admin user accounts and the API keys owners make for integrators."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.extensions import db

from .base import JSONType, created_at_column


class Role:
    OWNER = "owner"  # everything, including users and senders
    EDITOR = "editor"  # lists, contacts, campaigns
    REVIEWER = "reviewer"  # approves held campaigns
    VIEWER = "viewer"  # reads only
    ALL = (OWNER, EDITOR, REVIEWER, VIEWER)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.EDITOR)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: part of the id in the session cookie; raising it ends every session of the account
    #: (logout, new password) on the server, not only in the browser that asked
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: IANA zone the editor schedules and reads times in (platform.accounts.set_time_zone)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    #: language of the admin pages for this account (platform.accounts.set_language)
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime] = created_at_column()

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive accounts
        return self.active

    def get_id(self) -> str:  # what flask-login keeps in the session cookie
        return f"{self.id}:{self.session_version}"

    def can_write(self) -> bool:
        return self.role != Role.VIEWER


class AuditEntry(db.Model):
    """The record an owner reads (``newsletter.platform.audit``): who did what, when, to
    what: review decisions, mass unsubscribes and erasures, exports, role changes, sender
    changes."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()


class PlanLimit(db.Model):
    """One of the owner's plan limits (seed 003's packages, ``newsletter.platform.limits``);
    no row, or no value: unlimited."""

    __tablename__ = "plan_limit"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int | None] = mapped_column(Integer)


class ApiKey(db.Model):
    """A key an owner made for an integrator (CMS, CRM). Only a hash of the secret is kept;
    ``prefix`` (the first characters of the token) tells keys apart in the admin."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: granted scopes such as ["contacts:read", "contacts:write"]
    scopes: Mapped[list] = mapped_column(JSONType, default=list)
    #: requests per window for this key, as "limit/seconds" (platform.ratelimit.parse)
    rate_limit: Mapped[str] = mapped_column(String(20), default="600/60")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    #: the last request that wrote (POST, PATCH, PUT, DELETE); reads are kept in Redis
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class ApiIdempotency(db.Model):
    """The answer given to a creating POST with an ``Idempotency-Key``: the same key again
    gets the same answer instead of a second creation."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    #: method, path and body of the first request; a different request under the same key
    #: is refused
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = created_at_column(index=True)
