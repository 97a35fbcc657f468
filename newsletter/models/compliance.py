"""What the compliance checks remember (``newsletter.compliance``): the last sending-domain
check of each sender identity, with its age."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.extensions import db

from .base import JSONType


class SenderCheck(db.Model):
    """The cached result of a sender's domain checks: one item per check (key, level,
    message), as the checklist shows them."""

    __tablename__ = "sender_check"

    sender_id: Mapped[int] = mapped_column(
        ForeignKey("sender_identity.id", ondelete="CASCADE"), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    items: Mapped[list] = mapped_column(JSONType, default=list)
