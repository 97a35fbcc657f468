"""Welcome and drip sequences (``newsletter.automation.sequences``): a sequence of steps
(a message and a delay) that a trigger starts for a contact, the contacts' enrolments, and
the campaigns that carry each step's messages."""

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.extensions import db

from .base import created_at_column, utcnow


class SequenceTrigger:
    CONFIRMATION = "confirmation"  # the contact confirmed the sequence's list
    SEGMENT = "segment"  # the contact joined a saved segment (after activation)
    DATE = "date"  # a date attribute's month and day is today (once a year)
    ALL = (CONFIRMATION, SEGMENT, DATE)


class SequenceStatus:
    DRAFT = "draft"  # being written: nobody is enrolled
    ACTIVE = "active"
    PAUSED = "paused"  # nobody enrolled, nothing sent; resuming catches up
    ALL = (DRAFT, ACTIVE, PAUSED)


class EnrolmentState:
    ACTIVE = "active"  # waiting for its next step
    COMPLETED = "completed"  # every step was sent
    STOPPED = "stopped"  # left the list, unsubscribed, or is no longer active
    BASELINE = "baseline"  # a segment member when the sequence was activated: never sent
    ALL = (ACTIVE, COMPLETED, STOPPED, BASELINE)


class Sequence(db.Model):
    """Steps sent one after another to each contact the trigger enrols, always within the
    sequence's list: leaving it stops the sequence for that contact."""

    __tablename__ = "drip_sequence"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"),
                                         index=True)
    trigger: Mapped[str] = mapped_column(String(16), default=SequenceTrigger.CONFIRMATION)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segment.id", ondelete="SET NULL"))
    #: the contact attribute holding the date (YYYY-MM-DD or MM-DD), e.g. "birthday"
    date_attribute: Mapped[str] = mapped_column(String(64), default="",
                                                server_default=text("''"))
    status: Mapped[str] = mapped_column(String(16), default=SequenceStatus.DRAFT,
                                        server_default=SequenceStatus.DRAFT)
    #: the first activation: only contacts who confirm or join after it are enrolled
    activated_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    mailing_list: Mapped["MailingList"] = relationship()  # noqa: F821
    segment: Mapped["Segment | None"] = relationship()  # noqa: F821
    steps: Mapped[list["SequenceStep"]] = relationship(
        back_populates="sequence", order_by="SequenceStep.position",
        cascade="all, delete-orphan")


class SequenceStep(db.Model):
    """One message of a sequence: its content is a draft campaign (composed like any
    campaign, never sent itself), sent ``delay_minutes`` after the previous step (the
    first: after the enrolment)."""

    __tablename__ = "sequence_step"
    __table_args__ = (UniqueConstraint("sequence_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("drip_sequence.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    template_campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    sequence: Mapped[Sequence] = relationship(back_populates="steps")
    template: Mapped["Campaign"] = relationship()  # noqa: F821
    campaigns: Mapped[list["StepCampaign"]] = relationship(
        back_populates="step", order_by="StepCampaign.cycle", cascade="all, delete-orphan")


class StepCampaign(db.Model):
    """The running campaign that carries a step's messages (one delivery per contact who
    reached the step), so they go through the sending engine and count in its statistics.
    One per cycle: a date-triggered sequence starts a new cycle every year."""

    __tablename__ = "sequence_step_campaign"
    __table_args__ = (UniqueConstraint("step_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("sequence_step.id", ondelete="CASCADE"))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             unique=True)

    step: Mapped[SequenceStep] = relationship(back_populates="campaigns")
    campaign: Mapped["Campaign"] = relationship()  # noqa: F821


class Enrolment(db.Model):
    """A contact going through a sequence, once (once per year for a date trigger:
    ``cycle`` is the year, else 0). ``next_position``: the next step is the first whose
    position is at least this; it is due ``delay_minutes`` after ``waiting_since``."""

    __tablename__ = "sequence_enrolment"
    __table_args__ = (
        UniqueConstraint("sequence_id", "contact_id", "cycle"),
        Index("ix_sequence_enrolment_due", "sequence_id", "state", "next_position",
              "waiting_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("drip_sequence.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"),
                                            index=True)
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default=EnrolmentState.ACTIVE)
    next_position: Mapped[int] = mapped_column(Integer, default=1)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)
    waiting_since: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
