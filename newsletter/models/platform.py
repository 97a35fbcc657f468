"""Admin user accounts."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.extensions import db

from .base import created_at_column


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
