"""What campaigns are made of: themes, saved templates, uploaded images and attachments."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, false, text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from newsletter.extensions import db

from .base import JSONType, created_at_column


class Theme(db.Model):
    """Colours, font, logo and footer, set once for every message that uses the theme."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    primary_color: Mapped[str] = mapped_column(String(7), default="#1a5fb4")
    background_color: Mapped[str] = mapped_column(String(7), default="#f3f4f6")
    text_color: Mapped[str] = mapped_column(String(7), default="#1f2937")
    font_family: Mapped[str] = mapped_column(String(100), default="Arial, Helvetica, sans-serif")
    logo_url: Mapped[str] = mapped_column(String(500), default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    contact_details: Mapped[str] = mapped_column(Text, default="")  # address, phone, site
    legal_notice: Mapped[str] = mapped_column(Text, default="")
    #: the owner's site: public pages wearing this theme link back to it
    site_url: Mapped[str] = mapped_column(String(500), default="", server_default=text("''"))
    #: worn by public pages of lists without a theme of their own (one theme at most)
    public_default: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
    created_at: Mapped[datetime] = created_at_column()


class SavedTemplate(db.Model):
    """A campaign's blocks kept under a name, to start new campaigns from
    (``newsletter.content.saved_templates``); seed 003's plans count them."""

    __tablename__ = "saved_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    blocks: Mapped[list] = mapped_column(JSONType, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class Upload(db.Model):
    """An image uploaded by an editor, served publicly at /media/<key> (kept in the
    database so any web host can serve it)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = created_at_column()


class CampaignAttachment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = created_at_column()
