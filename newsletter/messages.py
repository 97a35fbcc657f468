"""Turning a campaign and one delivery into the e-mail that goes on the wire."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from flask import current_app
from sqlalchemy.orm import object_session

from . import webview
from .models import Campaign, CampaignAttachment, Delivery
from .rendering import Rendered


def sender_address(campaign: Campaign, default_from: str) -> tuple[str, str]:
    """(display name, address) of the campaign's sender identity, else the default."""
    if campaign.sender is not None:
        return campaign.sender.from_name, campaign.sender.from_email
    return parseaddr(default_from)


def message_id(delivery: Delivery, from_email: str) -> str:
    """Stable per delivery, so a resend after a crash carries the same id."""
    domain = from_email.rpartition("@")[2] or "localhost"
    return f"<nl.{delivery.campaign_id}.{delivery.id}@{domain}>"


def build_email(campaign: Campaign, delivery: Delivery, default_from: str) -> EmailMessage:
    name, address = sender_address(campaign, default_from)
    msg = EmailMessage()
    msg["From"] = formataddr((name, address))
    msg["To"] = delivery.address
    rendered = webview.render_delivery(object_session(campaign), campaign, delivery,
                                       current_app.config["BASE_URL"])
    msg["Subject"] = rendered.subject  # merge tags and language variant applied
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = message_id(delivery, address)
    if campaign.sender is not None and campaign.sender.reply_to:
        msg["Reply-To"] = campaign.sender.reply_to
    set_body(msg, rendered, campaign.attachments)
    return msg


def set_body(msg: EmailMessage, rendered: Rendered,
             attachments: list[CampaignAttachment]) -> None:
    """Text and HTML alternatives of the rendered campaign, then its attachments."""
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=item.filename)
