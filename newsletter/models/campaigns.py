"""Campaigns, their lists and one delivery per recipient (``newsletter.campaigns``)."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.extensions import db

from .audience import MailingList
from .base import JSONType, created_at_column
from .sending import SenderIdentity

campaign_list = Table(
    "campaign_list",
    db.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("list_id", ForeignKey("mailing_list.id", ondelete="CASCADE"), primary_key=True),
)


class CampaignStatus:
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    REVIEW = "review"  # held for a reviewer (compliance: content review)
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class Campaign(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16), default="email")
    subject: Mapped[str] = mapped_column(String(300), default="")
    #: the preview line inboxes show after the subject (a hidden text at the message's top)
    preheader: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("sender_identity.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    send_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Addresses (or phones) typed on the campaign, one per line, sent besides the lists.
    #: (server default as SQL text: Alembic's SQLite comparison cannot match a bare "")
    extra_recipients: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    #: Optional branch split: only contacts of this branch.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    #: Optional saved segment: only the lists' contacts who match it (newsletter.segments)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segment.id", ondelete="SET NULL"))
    #: the recurring series this campaign is one run of (newsletter.automation)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("recurring_series.id", ondelete="SET NULL", use_alter=True), index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()
    # composer (content.rendering): blocks -> sanitized body_html; body_text is generated from
    # it unless the editor edited it (text_edited)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    template: Mapped[str] = mapped_column(String(32), default="blank", server_default="blank")
    blocks: Mapped[list] = mapped_column(JSONType, default=list, server_default="[]")
    text_edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: language of the main content
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    #: other languages: {"de": {"subject", "blocks", "body_html", "body_text"}}
    variants: Mapped[dict] = mapped_column(JSONType, default=dict, server_default="{}")
    public_archive: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
    track_opens: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    tested_at: Mapped[datetime | None] = mapped_column(DateTime)
    # SMS campaigns (channel "sms", newsletter.sms): the text with merge tags, the sender
    # shown on phones ("" = the operator's number), the gateway (a name from SMS_GATEWAYS),
    # which phone field of the contact is used, optional transliteration and opt-out line
    sms_text: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    sms_sender: Mapped[str] = mapped_column(String(20), default="", server_default=text("''"))
    sms_gateway: Mapped[str] = mapped_column(String(64), default="", server_default=text("''"))
    sms_phone_field: Mapped[str] = mapped_column(String(16), default="phone",
                                                 server_default="phone")
    sms_transliterate: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    sms_opt_out: Mapped[str] = mapped_column(String(60), default="", server_default=text("''"))
    #: quota parts this campaign holds (reserved at start) and has used (parts sent)
    sms_parts_reserved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sms_parts_used: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: a follow-up (campaigns.followup): sent to the recipients of ``resend_of_id`` who did
    #: not click (or open), ``resend_after_days`` after that campaign started
    resend_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"))
    resend_to: Mapped[str] = mapped_column(String(16), default="", server_default=text("''"))
    resend_after_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: local-time delivery (campaigns.localtime): "09:00" sends each recipient's message
    #: at that hour in their own time zone ("" sends at once)
    local_send_time: Mapped[str] = mapped_column(String(5), default="",
                                                 server_default=text("''"))

    sender: Mapped[SenderIdentity | None] = relationship()
    segment: Mapped["Segment | None"] = relationship()  # noqa: F821
    lists: Mapped[list[MailingList]] = relationship(secondary=campaign_list)
    theme: Mapped["Theme | None"] = relationship()  # noqa: F821
    attachments: Mapped[list["CampaignAttachment"]] = relationship(  # noqa: F821
        order_by="CampaignAttachment.id", cascade="all, delete-orphan")


class DeliveryState:
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; lease_until says until when
    SENT = "sent"
    DELIVERED = "delivered"  # sent, and the SMSC's delivery receipt says the phone has it
    DEFERRED = "deferred"  # temporary failure, retried after next_attempt_at
    FAILED = "failed"
    BOUNCED = "bounced"
    BLOCKED = "blocked"  # matched the block list ("Spam" in the seed)
    SKIPPED = "skipped"  # cannot be sent as it is (invalid number, text over the cap): error
    CANCELLED = "cancelled"
    PENDING = (QUEUED, SENDING, DEFERRED)


class Delivery(db.Model):
    """One recipient of one campaign. Its four row fields (organization, branch, person,
    address) are what the block list matches against."""

    __table_args__ = (
        UniqueConstraint("campaign_id", "address"),
        Index("ix_delivery_campaign_id_state", "campaign_id", "state"),
        Index("ix_delivery_state_lease_until", "state", "lease_until"),
        Index("ix_delivery_message_id", "message_id"),  # an SMSC's delivery receipts
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
    #: the SMSC's id of a sent SMS (of its last part), which its delivery receipt quotes
    message_id: Mapped[str | None] = mapped_column(String(255))
    smtp_reply: Mapped[str | None] = mapped_column(String(300))  # the server's last answer
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: the recipient used this message's unsubscribe link (the campaign's unsubscribe count)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)  # first open (pixel)
    #: SMS parts of this recipient's text (after merge tags)
    sms_parts: Mapped[int | None] = mapped_column(Integer)
    #: local-time delivery: not sent before this moment (naive UTC; None: at once)
    not_before: Mapped[datetime | None] = mapped_column(DateTime)
    #: local-time delivery: the recipient's IANA zone that ``not_before`` was worked out in
    local_zone: Mapped[str | None] = mapped_column(String(64))
    #: A/B test: the variant (1, 2, ...) this message carries (campaigns.abtest)
    variant: Mapped[int | None] = mapped_column(Integer)
    #: A/B test: not in the sample; waits for the winner (``variant`` is set then)
    ab_rest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = created_at_column()

    campaign: Mapped[Campaign] = relationship()
    blocked_by: Mapped["BlocklistEntry | None"] = relationship()  # noqa: F821




class AbMetric:
    CLICKS = "clicks"
    OPENS = "opens"


class AbTest(db.Model):
    """An A/B test of a campaign's subject (campaigns.abtest): at start a sample
    (``sample_percent`` of the recipients) is split equally between the subjects; after
    ``wait_minutes`` the subject with the most unique clickers (or openers) per delivered
    message wins and goes to the rest."""

    __tablename__ = "ab_test"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    #: the subjects of the variants, in order (variant 1 is the first)
    subjects: Mapped[list] = mapped_column(JSONType, default=list)
    sample_percent: Mapped[int] = mapped_column(Integer)
    wait_minutes: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(8), default=AbMetric.CLICKS)
    #: set at start: when the winner is picked automatically
    decide_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    winner: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: "automatically" or the e-mail of the editor who picked it
    decided_by: Mapped[str] = mapped_column(String(254), default="")
