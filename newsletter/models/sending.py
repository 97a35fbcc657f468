"""Sender identities: who a campaign is from, how fast it may go, its DKIM key
(``newsletter.sending``)."""

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.extensions import db

from .base import created_at_column


class SenderIdentity(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # shown to editors
    from_name: Mapped[str] = mapped_column(String(100))
    from_email: Mapped[str] = mapped_column(String(254))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    #: Sending cadence across all workers: ``rate_limit`` messages per ``rate_period``
    #: ("hour" or "second"); OBERON offers 100 to 3,000 e-mails per hour.
    rate_limit: Mapped[int] = mapped_column(Integer, default=3000, server_default="3000")
    rate_period: Mapped[str] = mapped_column(String(8), default="hour", server_default="hour")
    dkim_domain: Mapped[str | None] = mapped_column(String(253))
    dkim_selector: Mapped[str | None] = mapped_column(String(63))
    dkim_private_key: Mapped[str | None] = mapped_column(Text)
    #: the sending domain's website, contact and privacy pages (seed 004, 3.1.1-3.1.2);
    #: empty: https://<from domain>/ and links found on it
    website_url: Mapped[str | None] = mapped_column(String(500))
    contact_url: Mapped[str | None] = mapped_column(String(500))
    privacy_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at_column()

