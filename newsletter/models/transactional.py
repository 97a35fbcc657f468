"""Transactional mail and SMS: one message from a template to one recipient, asked for
over the API (an order confirmation, a password link), and what became of it."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.extensions import db

from .base import JSONType, created_at_column


class TransactionalState:
    QUEUED = "queued"
    DEFERRED = "deferred"  # a temporary failure: retried
    SENT = "sent"
    FAILED = "failed"
    ALL = (QUEUED, DEFERRED, SENT, FAILED)


class TransactionalMessage(db.Model):
    __tablename__ = "transactional_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the campaign whose subject, body, theme and sender are the template
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_key.id", ondelete="SET NULL"))
    #: email, or sms (the address is then an E.164 number)
    channel: Mapped[str] = mapped_column(String(8), default="email",
                                         server_default=text("'email'"))
    address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str | None] = mapped_column(String(8))
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=TransactionalState.QUEUED,
                                       index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    subject: Mapped[str | None] = mapped_column(String(300))  # as sent (SMS: its text)
    #: SMS: the parts charged to the quota when the message was accepted
    sms_parts: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    smtp_reply: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = created_at_column(index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    template: Mapped["Campaign | None"] = relationship()  # noqa: F821
