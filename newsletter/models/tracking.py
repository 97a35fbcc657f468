"""Tracked links and their clicks (``newsletter.tracking``); opens are a column of the
delivery."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.extensions import db

from .base import created_at_column


class Link(db.Model):
    """A tracked link; click URLs carry its id beside the signed message token, never the
    target."""

    __table_args__ = (UniqueConstraint("campaign_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()


class Click(db.Model):
    __table_args__ = (
        Index("ix_click_link_id_clicked_at", "link_id", "clicked_at"),
        # segment conditions on engagement reach clicks through the contact's deliveries
        Index("ix_click_delivery_id_clicked_at", "delivery_id", "clicked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("link.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery.id", ondelete="SET NULL"), index=True
    )
    clicked_at: Mapped[datetime] = created_at_column()

