"""Who we send to: organizations, branches, persons, contacts, lists, subscriptions,
consent records and suppression."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.extensions import db

from .base import JSONType, created_at_column


class Organization(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    registration_no: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(32))  # never an SMS target (seed 002)
    created_at: Mapped[datetime] = created_at_column()

    branches: Mapped[list["Branch"]] = relationship(back_populates="organization")


class Branch(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()

    organization: Mapped[Organization] = relationship(back_populates="branches")


class Person(db.Model):
    """A human known to the CRM; contacts (addresses) may point at a person."""

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at_column()

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class ContactStatus:
    ACTIVE = "active"
    INACTIVE = "inactive"  # unsubscribed from everything; kept with its history
    BOUNCED = "bounced"
    ERASED = "erased"  # personal data removed; only the suppression hash remains
    ARCHIVED = "archived"  # set aside by an editor; subscriptions kept, nothing sent
    ALL = (ACTIVE, INACTIVE, BOUNCED, ERASED, ARCHIVED)


class Contact(db.Model):
    """An addressable subscriber record; optionally tied to an organization, branch and
    person (the four fields of a recipient row in the block-list rules)."""

    __table_args__ = (
        Index("ix_contact_phone", "phone"),
        Index("ix_contact_organization_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # normalized
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(8), default="en")
    #: IANA zone the profile shows times in (None: the usual zone of the language)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    attributes: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ContactStatus.ACTIVE)
    profile_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: soft bounces since the last delivery
    soft_bounces: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: random per-contact salt the 8-character profile code is derived from (audience.profiles)
    profile_salt: Mapped[str | None] = mapped_column(String(32))
    #: no click or open tracking for this contact
    tracking_opt_out: Mapped[bool] = mapped_column(Boolean, default=False,
                                                   server_default=false())
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = created_at_column()

    organization: Mapped[Organization | None] = relationship()
    branch: Mapped[Branch | None] = relationship()
    person: Mapped[Person | None] = relationship()

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class PhoneKind:
    """The typed phone fields of a contact (``Contact.phone`` is the main one, "phone")."""

    MAIN = "phone"
    MOBILE = "mobile"
    WORK = "work"
    HOME = "home"
    OTHER = "other"
    TYPED = (MOBILE, WORK, HOME, OTHER)
    ALL = (MAIN, *TYPED)


class ContactPhone(db.Model):
    """One typed phone number of a contact, in E.164 (an SMS campaign picks the kind)."""

    __tablename__ = "contact_phone"
    __table_args__ = (
        UniqueConstraint("contact_id", "kind"),
        Index("ix_contact_phone_number", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(20))  # E.164
    created_at: Mapped[datetime] = created_at_column()


class ListVisibility:
    PUBLIC = "public"
    PRIVATE = "private"


class OptIn:
    SINGLE = "single"
    DOUBLE = "double"


class MailingList(db.Model):
    __tablename__ = "mailing_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # public id in URLs
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default=ListVisibility.PRIVATE)
    optin: Mapped[str] = mapped_column(String(16), default=OptIn.DOUBLE)
    language: Mapped[str] = mapped_column(String(8), default="en")
    purpose: Mapped[str] = mapped_column(String(200), default="")
    channels: Mapped[str] = mapped_column(String(40), default="email")  # comma-separated
    #: the theme its public pages wear (None: the default theme, if one is marked)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class SubscriptionStatus:
    UNCONFIRMED = "unconfirmed"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class Subscription(db.Model):
    """One contact on one list for one channel."""

    __table_args__ = (
        UniqueConstraint("contact_id", "list_id", "channel"),
        Index("ix_subscription_list_channel_status", "list_id", "channel", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16), default="email")
    status: Mapped[str] = mapped_column(String(16), default=SubscriptionStatus.UNCONFIRMED)
    created_at: Mapped[datetime] = created_at_column()
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: last double opt-in mail: at most one per address and list per 24 hours
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    contact: Mapped[Contact] = relationship()
    mailing_list: Mapped[MailingList] = relationship()


class LegalBasis:
    CONSENT = "consent"
    LEGITIMATE_INTEREST = "legitimate_interest"
    CONTRACT = "contract"
    ALL = (CONSENT, LEGITIMATE_INTEREST, CONTRACT)


class ConsentRecord(db.Model):
    """Append-only evidence of consent given or withdrawn."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    list_id: Mapped[int | None] = mapped_column(ForeignKey("mailing_list.id"))
    channel: Mapped[str] = mapped_column(String(16), default="email")
    action: Mapped[str] = mapped_column(String(16))  # granted | withdrawn
    legal_basis: Mapped[str] = mapped_column(String(32), default=LegalBasis.CONSENT)
    source: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    text_version: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = created_at_column()


class Suppression(db.Model):
    """Addresses never to contact again, kept as a keyed hash (HMAC) so an erased address
    can be recognised without being stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(32))  # erased | unsubscribed | bounced
    created_at: Mapped[datetime] = created_at_column()


class ContactChange(db.Model):
    """History of a contact's data: what changed, from what to what, and who did it
    (shown to the subscriber on the GDPR profile and to editors on the contact page)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))  # "subscriber", "import", "editor:<email>"
    created_at: Mapped[datetime] = created_at_column()


class BulkAction(db.Model):
    """Who unsubscribed, archived or erased how many contacts at once, and when."""

    __tablename__ = "contact_bulk_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(16))  # unsubscribe | archive | erase
    count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()

