"""What we send: sender identities, campaigns, one delivery per recipient, links, clicks."""

from datetime import datetime

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .audience import MailingList
from .base import created_at_column


class SenderIdentity(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # shown to editors
    from_name: Mapped[str] = mapped_column(String(100))
    from_email: Mapped[str] = mapped_column(String(254))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    rate_per_hour: Mapped[int] = mapped_column(Integer, default=3000)
    dkim_selector: Mapped[str | None] = mapped_column(String(63))
    dkim_private_key: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()


campaign_list = Table(
    "campaign_list",
    db.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("list_id", ForeignKey("mailing_list.id", ondelete="CASCADE"), primary_key=True),
)


class CampaignStatus:
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class Campaign(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16), default="email")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("sender_identity.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    send_at: Mapped[datetime | None] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    sender: Mapped[SenderIdentity | None] = relationship()
    lists: Mapped[list[MailingList]] = relationship(secondary=campaign_list)


class DeliveryState:
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; lease_until says until when
    SENT = "sent"
    DEFERRED = "deferred"  # temporary failure, retried after next_attempt_at
    FAILED = "failed"
    BOUNCED = "bounced"
    BLOCKED = "blocked"  # matched the block list ("Spam" in the seed)
    CANCELLED = "cancelled"
    PENDING = (QUEUED, SENDING, DEFERRED)


class Delivery(db.Model):
    """One recipient of one campaign. Its four row fields (organization, branch, person,
    address) are what the block list matches against."""

    __table_args__ = (
        UniqueConstraint("campaign_id", "address"),
        Index("ix_delivery_campaign_id_state", "campaign_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), index=True
    )
    address: Mapped[str] = mapped_column(String(254))  # e-mail or E.164 phone
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.QUEUED)
    blocked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("blocklist_entry.id", ondelete="SET NULL")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    message_id: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    campaign: Mapped[Campaign] = relationship()
    blocked_by: Mapped["BlocklistEntry | None"] = relationship()  # noqa: F821


class Link(db.Model):
    """A tracked link; click URLs carry only a signed id, never the target."""

    __table_args__ = (UniqueConstraint("campaign_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()


class Click(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("link.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery.id", ondelete="SET NULL"), index=True
    )
    clicked_at: Mapped[datetime] = created_at_column()
