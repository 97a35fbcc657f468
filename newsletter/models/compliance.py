"""What the compliance checks remember (``newsletter.compliance``): the last sending-domain
check of each sender identity, the owner's content-review rules and the campaigns held for
review with their decisions."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.extensions import db

from .base import JSONType, created_at_column


class SenderCheck(db.Model):
    """The cached result of a sender's domain checks: one item per check (key, level,
    message), as the checklist shows them."""

    __tablename__ = "sender_check"

    sender_id: Mapped[int] = mapped_column(
        ForeignKey("sender_identity.id", ondelete="CASCADE"), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    items: Mapped[list] = mapped_column(JSONType, default=list)


class ReviewCategory(db.Model):
    """An owner's rules for one content category (replacing the built-in default of the
    same key, ``newsletter.compliance.categories``): one pattern per line."""

    __tablename__ = "review_category"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    patterns: Mapped[str] = mapped_column(Text, default="")
    allowed: Mapped[str] = mapped_column(Text, default="")
    exceptions: Mapped[str] = mapped_column(Text, default="")
    void: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = created_at_column()


class ReviewState:
    HELD = "held"
    APPROVED = "approved"
    REJECTED = "rejected"


class CampaignReview(db.Model):
    """A campaign held for review: what matched, and the reviewer's decision. An approval
    holds for the content it saw (``content_hash``): changed content is held again."""

    __tablename__ = "campaign_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=ReviewState.HELD)
    findings: Mapped[list] = mapped_column(JSONType, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    decided_by: Mapped["User | None"] = relationship()  # noqa: F821
