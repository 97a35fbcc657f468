"""Channels the owner configures in the admin (``newsletter.channels.servers``): SMTP
servers, SMS gateway accounts, and each sender identity's pool of SMTP servers with
weights. Passwords are stored encrypted (``channels.credentials``), never in plain text."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.extensions import db

from .base import created_at_column


class MailServer(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer)
    security: Mapped[str] = mapped_column(String(16))  # "plain" | "starttls" | "tls"
    username: Mapped[str | None] = mapped_column(String(254))
    #: Fernet token of the password (``channels.credentials``); None: no password
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    #: connections across all workers (None: SMTP_MAX_CONNECTIONS)
    max_connections: Mapped[int | None] = mapped_column(Integer)
    #: messages per minute through this server across all workers (None: no limit)
    rate_per_minute: Mapped[int | None] = mapped_column(Integer)
    timeout: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    created_at: Mapped[datetime] = created_at_column()


class SmsGatewayAccount(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the name campaigns pick (beside the names in SMS_GATEWAYS)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "smpp" | "kannel+http" | "kannel+https"
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(100))  # SMPP system_id, Kannel user
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    #: further URL parameters, e.g. ``source=%2B421900000000&window=10`` or ``smsc=op``
    options: Mapped[str] = mapped_column(String(500), default="", server_default=text("''"))
    created_at: Mapped[datetime] = created_at_column()


class SenderServer(db.Model):
    """One SMTP server in a sender identity's pool: its messages are spread over the pool
    by ``weight``."""

    __table_args__ = (UniqueConstraint("sender_id", "server_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(
        ForeignKey("sender_identity.id", ondelete="CASCADE"), index=True)
    server_id: Mapped[int] = mapped_column(ForeignKey("mail_server.id", ondelete="CASCADE"),
                                           index=True)
    weight: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    server: Mapped[MailServer] = relationship(lazy="joined")
