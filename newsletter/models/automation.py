"""Saved dynamic segments (``newsletter.segments``) and recurring campaign series with
their run log (``newsletter.automation``)."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.extensions import db

from .base import JSONType, created_at_column, utcnow


class Segment(db.Model):
    """A saved audience: a definition (AND/OR groups of conditions, see
    ``newsletter.segments.conditions``) evaluated set-based whenever it is counted or a
    campaign using it starts; nothing about its members is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    #: {"match": "all"|"any", "groups": [{"match": ..., "conditions": [{kind, op, key,
    #: value}]}]}
    definition: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class RecurringSeries(db.Model):
    """A campaign sent again and again: its template is a draft campaign (edited in the
    composer like any draft), the schedule a cron expression read in a time zone. Each run
    copies the template into a normal campaign with its own deliveries and statistics."""

    __tablename__ = "recurring_series"
    __table_args__ = (Index("ix_recurring_series_paused_next_run_at", "paused", "next_run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    template_campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), unique=True)
    cron: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: the next run (naive UTC); None while paused
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    # feed-driven series (newsletter.automation.feeds): each run carries the feed's items
    # new since the last run, and none are new means no run
    feed_url: Mapped[str | None] = mapped_column(String(1000))
    #: the owner allowed the feed's host to be a private address (an intranet site)
    feed_allow_private: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())
    feed_etag: Mapped[str | None] = mapped_column(String(300))
    feed_last_modified: Mapped[str | None] = mapped_column(String(100))
    #: ids of the items already sent (the newest few hundred)
    feed_seen: Mapped[list] = mapped_column(JSONType, default=list, server_default="[]")

    template: Mapped["Campaign"] = relationship(  # noqa: F821
        foreign_keys=[template_campaign_id])
    runs: Mapped[list["RecurringRun"]] = relationship(
        back_populates="series", order_by="RecurringRun.id.desc()",
        cascade="all, delete-orphan")


class RunOutcome:
    STARTED = "started"  # a campaign was made and handed to the scheduled start
    SKIPPED = "skipped"  # no content or no recipients: nothing sent
    ALL = (STARTED, SKIPPED)


class RecurringRun(db.Model):
    """The log of a series: one row per due time, whether it made a campaign or why not."""

    __tablename__ = "recurring_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        ForeignKey("recurring_series.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300), default="", server_default=text("''"))
    created_at: Mapped[datetime] = created_at_column()

    series: Mapped[RecurringSeries] = relationship(back_populates="runs")
