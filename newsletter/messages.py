"""Turning a campaign and one recipient into the bytes that go on the wire: headers for
list mail (List-Unsubscribe with one-click, List-Id, VERP return path), a stable
Message-ID, multipart/alternative bodies, and a DKIM signature per sender identity.

The parts that are the same for every recipient are encoded once per campaign; per
recipient only the personal headers and bodies are encoded (the email package's
header machinery costs milliseconds per message, far too slow for bulk sending)."""

import binascii
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr

from . import subscriptions, tokens
from .dkim import Signer
from .messengers import OutgoingMessage
from .models import Campaign
from .tokens import Purpose


@dataclass(frozen=True)
class Recipient:
    """What the sender knows about one delivery while building its message."""

    delivery_id: int
    campaign_id: int
    address: str
    contact_id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    language: str | None = None
    attributes: dict | None = None
    profile_url: str | None = None  # the GDPR profile link for the footer


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower() or "localhost"


def header_value(value: str) -> str:
    """ASCII as it is; anything else as an RFC 2047 encoded-word."""
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=998).encode()


def qp(text: str) -> bytes:
    """Quoted-printable with CRLF line ends: 7-bit safe for any server."""
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode(), istext=True)
    return encoded.replace(b"\n", b"\r\n")


class MessageFactory:
    """Everything that is the same for all recipients of one campaign, worked out once per
    batch job; ``build`` adds what is personal."""

    def __init__(self, campaign: Campaign, *, base_url: str, default_from: str,
                 bounce_domain: str | None = None):
        self.base_url = base_url.rstrip("/")
        sender = campaign.sender
        if sender is not None:
            from_name, self.from_email = sender.from_name, sender.from_email
        else:
            from_name, self.from_email = parseaddr(default_from)
        self.domain = domain_of(self.from_email)
        self.bounce_domain = bounce_domain or self.domain
        self.signer = None
        if sender is not None and sender.dkim_private_key and sender.dkim_selector:
            self.signer = Signer(sender.dkim_domain or self.domain, sender.dkim_selector,
                                 sender.dkim_private_key)
        list_key = campaign.lists[0].key if campaign.lists else f"c{campaign.id}"
        list_name = campaign.lists[0].name if campaign.lists else campaign.name
        static = [("From", formataddr((header_value(from_name), self.from_email))),
                  ("Subject", header_value(campaign.subject)),
                  ("List-Id", f"{_quote(list_name)} <{list_key}.{self.domain}>"),
                  ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                  ("MIME-Version", "1.0")]
        if sender is not None and sender.reply_to:
            static.append(("Reply-To", sender.reply_to))
        self.static_headers = "".join(f"{k}: {v}\r\n" for k, v in static).encode()
        self.body_text, self.body_html = campaign.body_text, campaign.body_html
        self.boundary = "=_nl_" + secrets.token_hex(12)

    def message_id(self, recipient: Recipient) -> str:
        """Stable per delivery, so a retry after a crash carries the same id."""
        return f"<nl.{recipient.campaign_id}.{recipient.delivery_id}@{self.domain}>"

    def return_path(self, recipient: Recipient) -> str:
        """VERP: a bounce names the delivery it belongs to."""
        token = tokens.short_sign(Purpose.BOUNCE, recipient.delivery_id)
        return f"bounces+{token}@{self.bounce_domain}"

    def build(self, recipient: Recipient) -> OutgoingMessage:
        unsubscribe = subscriptions.unsubscribe_url(recipient.contact_id,
                                                    delivery_id=recipient.delivery_id)
        short = tokens.short_sign(Purpose.UNSUBSCRIBE, recipient.delivery_id)
        mailto = f"mailto:unsubscribe+{short}@{self.bounce_domain}?subject=unsubscribe"
        personal = (f"To: {recipient.address}\r\n"
                    f"Date: {format_datetime(datetime.now(UTC))}\r\n"
                    f"Message-ID: {self.message_id(recipient)}\r\n"
                    f"List-Unsubscribe: <{unsubscribe}>, <{mailto}>\r\n").encode()
        text = self.body_text + f"\n\n--\nUnsubscribe: {unsubscribe}\n"
        if recipient.profile_url:
            text += f"Your data and subscriptions: {recipient.profile_url}\n"
        data = self.static_headers + personal + self._body(text, self.body_html)
        if self.signer is not None:
            data = self.signer.sign(data)
        return OutgoingMessage(self.return_path(recipient), recipient.address, data)

    def _body(self, text: str, html: str | None) -> bytes:
        part = (b'Content-Type: text/%s; charset="utf-8"\r\n'
                b"Content-Transfer-Encoding: quoted-printable\r\n\r\n")
        if not html:
            return part % b"plain" + qp(text)
        boundary = self.boundary.encode()
        return (b'Content-Type: multipart/alternative; boundary="' + boundary + b'"\r\n\r\n'
                b"--" + boundary + b"\r\n" + part % b"plain" + qp(text) + b"\r\n"
                b"--" + boundary + b"\r\n" + part % b"html" + qp(html) + b"\r\n"
                b"--" + boundary + b"--\r\n")


def _quote(name: str) -> str:
    return '"' + header_value(name.replace("\\", "").replace('"', "")) + '"'
