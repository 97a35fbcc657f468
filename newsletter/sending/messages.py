"""Turning a campaign and one recipient into the bytes that go on the wire: headers for
list mail (List-Unsubscribe with one-click, List-Id, VERP return path), a stable
Message-ID, the rendered text and HTML (content.rendering) with attachments, and a DKIM
signature per sender identity.

What is the same for every recipient is worked out once per campaign; per recipient only
the rendering and the personal headers are done (the email package's header machinery
costs milliseconds per message, far too slow for bulk sending). Every header line is
written by ``channels.headers`` (control characters folded, non-ASCII encoded), so no
name, subject or file name can start a header of its own."""

import base64
import binascii
import dataclasses
import functools
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid, parseaddr

from newsletter.audience import subscriptions
from newsletter.channels.base import OutgoingMessage, PermanentFailure
from newsletter.channels.headers import header_lines, header_value, mailbox, phrase
from newsletter.content import prerendering, rendering, themes, webview
from newsletter.models import AbTest, Campaign
from newsletter.platform import tokens
from newsletter.platform.tokens import Purpose
from newsletter.texts import N_, stored
from newsletter.tracking import clicks

from .dkim import Signer


class MessageNotBuilt(PermanentFailure):
    """This recipient's message cannot be built (its merge tags fail or exceed their
    budget): that delivery fails with the reason; retrying cannot help."""


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
    organization: str | None = None
    tracking_opt_out: bool = False
    variant: int | None = None  # an A/B test's variant: its subject replaces the campaign's

    def merge_data(self) -> dict:
        if self.contact_id is None:
            return {"email": self.address, "attributes": {}}
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return {"first_name": self.first_name, "last_name": self.last_name, "name": name,
                "email": self.address, "organization": self.organization,
                "language": self.language, "attributes": dict(self.attributes or {})}


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower() or "localhost"


def qp(text: str) -> bytes:
    """Quoted-printable with CRLF line ends: 7-bit safe for any server."""
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode(), istext=True)
    return encoded.replace(b"\n", b"\r\n")


_PART_HEADERS = {subtype: header_lines((
    ("Content-Type", f'text/{subtype}; charset="utf-8"'),
    ("Content-Transfer-Encoding", "quoted-printable"))) for subtype in ("plain", "html")}


def _part(subtype: str, text: str) -> bytes:
    return _PART_HEADERS[subtype] + b"\r\n" + qp(text) + b"\r\n"


def _multipart(kind: str, boundary: str, parts: list[bytes]) -> bytes:
    b = boundary.encode()
    return (header_lines((("Content-Type", f'multipart/{kind}; boundary="{boundary}"'),))
            + b"\r\n" + b"".join(b"--" + b + b"\r\n" + part for part in parts)
            + b"--" + b + b"--\r\n")


_CONTENT_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*")


def _attachment(filename: str, content_type: str, data: bytes) -> bytes:
    name = header_value(filename).replace('"', "").replace("\\", "")
    if not _CONTENT_TYPE.fullmatch(content_type or ""):
        content_type = "application/octet-stream"
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return header_lines([("Content-Type", f'{content_type}; name="{name}"'),
                         ("Content-Disposition", f'attachment; filename="{name}"'),
                         ("Content-Transfer-Encoding", "base64")]) + b"\r\n" + encoded


class MessageFactory:
    """Everything that is the same for all recipients of one campaign, worked out once per
    batch job; ``build`` renders and adds what is personal."""

    def __init__(self, campaign: Campaign, *, base_url: str, default_from: str,
                 bounce_domain: str | None = None, session=None):
        self.campaign_id, self.session = campaign.id, session
        self.base_url = base_url.rstrip("/")
        sender = campaign.sender
        if sender is not None:
            from_name, self.from_email = sender.from_name, sender.from_email
        else:
            from_name, self.from_email = parseaddr(default_from)
        self.from_name = from_name
        self.domain = domain_of(self.from_email)
        self.bounce_domain = bounce_domain or self.domain
        self.signer = None
        if sender is not None and sender.dkim_private_key and sender.dkim_selector:
            self.signer = Signer(sender.dkim_domain or self.domain, sender.dkim_selector,
                                 sender.dkim_private_key)
        list_key = campaign.lists[0].key if campaign.lists else f"c{campaign.id}"
        list_name = campaign.lists[0].name if campaign.lists else campaign.name
        static = [("From", mailbox(from_name, self.from_email)),
                  ("List-Id", f"{phrase(list_name)} <{list_key}.{self.domain}>"),
                  ("MIME-Version", "1.0")]
        if sender is not None and sender.reply_to:
            static.append(("Reply-To", mailbox(None, sender.reply_to)))
        self.static_headers = header_lines(static)
        self.attachments = [_attachment(a.filename, a.content_type, a.data)
                            for a in campaign.attachments]
        self.style = themes.style(campaign.theme)
        self.track_opens = bool(campaign.track_opens)
        self._campaign = campaign
        test = session.get(AbTest, campaign.id) if session is not None else None
        self.variant_subjects: list[str] = list(test.subjects) if test is not None else []
        self._contents: dict[tuple, rendering.Content] = {}
        self._prepared: dict[tuple, prerendering.Prepared | None] = {}

    def content(self, language: str | None, variant: int | None = None) -> rendering.Content:
        """The content in ``language``; an A/B test's ``variant`` has its own subject."""
        key = (language, variant)
        if key not in self._contents:
            content = webview.content_for(self._campaign, language)
            if variant and variant <= len(self.variant_subjects):
                content = dataclasses.replace(
                    content, subject=self.variant_subjects[variant - 1])
            self._contents[key] = content
        return self._contents[key]

    def message_id(self, recipient: Recipient) -> str:
        """Stable per delivery, so a retry after a crash carries the same id."""
        return f"<nl.{recipient.campaign_id}.{recipient.delivery_id}@{self.domain}>"

    def return_path(self, recipient: Recipient) -> str:
        """VERP: a bounce names the delivery it belongs to."""
        token = tokens.short_sign(Purpose.BOUNCE, recipient.delivery_id)
        return f"bounces+{token}@{self.bounce_domain}"

    def render(self, recipient: Recipient, unsubscribe: str) -> rendering.Rendered:
        """The recipient's message. Its one message token (signed here, once) is in every
        click link, the open pixel and the web view link."""
        token = clicks.message_token(self.campaign_id, recipient.delivery_id)
        tracked = not recipient.tracking_opt_out and self.session is not None
        links = rendering.Links(
            unsubscribe=unsubscribe, profile=recipient.profile_url,
            webview=webview.webview_url(self.base_url, token),
            open_pixel=clicks.open_pixel_url(self.base_url, token)
            if tracked and self.track_opens else None, base_url=self.base_url)
        shape = prerendering.Shape(recipient.language, tracked, links.profile is not None,
                                   links.open_pixel is not None)
        prepared = self.prepared(shape, recipient.variant)
        if prepared is None:  # content only the general renderer handles
            track = clicks.tracker(self.session, self.campaign_id, token,
                                   self.base_url) if tracked else None
            return rendering.render(self.content(recipient.language, recipient.variant),
                                    self.style,
                                    recipient.merge_data(), links, track=track)
        return prepared.fill(recipient.merge_data(), links,
                             clicks.click_urls(self.base_url, token, prepared.link_ids))

    def prepared(self, shape: prerendering.Shape,
                 variant: int | None = None) -> prerendering.Prepared | None:
        """The campaign laid out and inlined once per language, shape (and A/B variant)."""
        key = (shape, variant)
        if key not in self._prepared:
            self._prepared[key] = prerendering.prepare(
                self.content(shape.language, variant), self.style, shape, self.base_url,
                lambda urls: clicks.links_for(self.session, self.campaign_id, urls))
        return self._prepared[key]

    def build(self, recipient: Recipient, return_path: str | None = None) -> OutgoingMessage:
        unsubscribe = subscriptions.unsubscribe_url(recipient.contact_id,
                                                    delivery_id=recipient.delivery_id)
        short = tokens.short_sign(Purpose.UNSUBSCRIBE, recipient.delivery_id)
        mailto = f"mailto:unsubscribe+{short}@{self.bounce_domain}?subject=unsubscribe"
        try:
            rendered = self.render(recipient, unsubscribe)
        except rendering.RenderError as exc:
            raise MessageNotBuilt(stored(N_("Message not built: %(problem)s"),
                                         problem=exc)) from exc
        personal = header_lines((
            ("To", mailbox(None, recipient.address)),
            ("Subject", header_value(rendered.subject)),
            ("Date", _date_of(int(time.time()))),
            ("Message-ID", self.message_id(recipient)),
            ("List-Unsubscribe", f"<{unsubscribe}>, <{mailto}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")))
        data = self.static_headers + personal + self.body(rendered)
        if self.signer is not None:
            data = self.signer.sign(data)
        return OutgoingMessage(return_path or self.return_path(recipient), recipient.address,
                               data)

    def build_test(self, address: str, rendered: rendering.Rendered) -> OutgoingMessage:
        """A test send: the rendered content with "[Test]" in the subject, no list headers."""
        headers = header_lines((
            ("To", mailbox(None, address)),
            ("Subject", header_value("[Test] " + rendered.subject)),
            ("Date", format_datetime(datetime.now(UTC))),
            ("Message-ID", make_msgid(domain=self.domain))))
        data = self.static_headers + headers + self.body(rendered)
        if self.signer is not None:
            data = self.signer.sign(data)
        return OutgoingMessage(self.from_email, address, data)

    def body(self, rendered: rendering.Rendered) -> bytes:
        alternative = _multipart("alternative", "=_alt_" + secrets.token_hex(8),
                                 [_part("plain", rendered.text), _part("html", rendered.html)])
        if not self.attachments:
            return alternative
        return _multipart("mixed", "=_mix_" + secrets.token_hex(8),
                          [alternative, *self.attachments])


@functools.lru_cache(maxsize=2)
def _date_of(second: int) -> str:
    """The Date header value, formatted once per second (bulk sending asks for it
    thousands of times a second)."""
    return format_datetime(datetime.fromtimestamp(second, UTC))
