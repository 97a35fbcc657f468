"""The SMS account and its quota ledger (``newsletter.sms.quota``)."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.extensions import db

from .base import created_at_column


class SmsAccount(db.Model):
    """One row (id 1): the parts that can still be sent, the parts campaigns hold, and the
    owner's SMS settings. Every change is one conditional UPDATE, so two campaigns starting
    at once can never take the balance below zero (the CHECKs hold it in the database)."""

    __tablename__ = "sms_account"
    __table_args__ = (
        CheckConstraint("available >= 0", name="available"),
        CheckConstraint("reserved >= 0", name="reserved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    available: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reserved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the owner allows alphanumeric senders (at most 11 GSM-7 characters)
    alphanumeric_sender: Mapped[bool] = mapped_column(Boolean, default=False,
                                                      server_default=false())


class QuotaMovementKind:
    TOP_UP = "top_up"  # the owner added parts
    RESERVE = "reserve"  # a campaign took parts at start
    DEDUCT = "deduct"  # parts sent (from the campaign's reservation)
    RELEASE = "release"  # parts a campaign held and did not send came back
    ALL = (TOP_UP, RESERVE, DEDUCT, RELEASE)


class SmsQuotaMovement(db.Model):
    """Append-only ledger of the SMS quota: every top-up, reservation, deduction, release."""

    __tablename__ = "sms_quota_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: parts: positive for a top-up, reservation, deduction or release alike
    amount: Mapped[int] = mapped_column(Integer)
    #: the account's available and reserved parts right after this movement
    available_after: Mapped[int] = mapped_column(Integer)
    reserved_after: Mapped[int] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"), index=True)
    note: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    actor: Mapped[str] = mapped_column(String(254), default="", server_default=text("''"))
    created_at: Mapped[datetime] = created_at_column()
