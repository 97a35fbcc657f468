"""Forbidden addressees per channel (seed 001)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.extensions import db

from .audience import Branch, Organization, Person
from .base import created_at_column
from .platform import User


class BlocklistEntry(db.Model):
    """Matches a recipient row when every field it fills equals the row's field."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    branch_id: Mapped[int | None] = mapped_column(
        ForeignKey("branch.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()

    channels: Mapped[list["BlocklistChannel"]] = relationship(
        cascade="all, delete-orphan", back_populates="entry"
    )
    organization: Mapped[Organization | None] = relationship()
    branch: Mapped[Branch | None] = relationship()
    person: Mapped[Person | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class BlocklistChannel(db.Model):
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("blocklist_entry.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)

    entry: Mapped[BlocklistEntry] = relationship(back_populates="channels")
