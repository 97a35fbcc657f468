"""Turning a campaign and one delivery into the bytes that go on the wire: headers for
list mail (List-Unsubscribe with one-click, List-Id, VERP return path), a stable
Message-ID, multipart/alternative bodies, and a DKIM signature per sender identity."""

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from . import tokens
from .dkim import Signer
from .messengers import OutgoingMessage
from .models import Campaign, Delivery
from .tokens import Purpose

#: CRLF line endings, 7-bit bodies (quoted-printable/base64), so any server takes them;
#: no header refolding, which would turn a long List-Unsubscribe URL into an encoded-word.
WIRE = policy.SMTP.clone(cte_type="7bit", max_line_length=998)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower() or "localhost"


class MessageFactory:
    """Everything that is the same for all recipients of one campaign, worked out once per
    batch job; ``build`` adds what is personal."""

    def __init__(self, campaign: Campaign, *, base_url: str, default_from: str,
                 bounce_domain: str | None = None):
        self.campaign = campaign
        self.base_url = base_url.rstrip("/")
        sender = campaign.sender
        if sender is not None:
            self.from_name, self.from_email = sender.from_name, sender.from_email
        else:
            self.from_name, self.from_email = parseaddr(default_from)
        self.domain = domain_of(self.from_email)
        self.bounce_domain = bounce_domain or self.domain
        self.reply_to = sender.reply_to if sender is not None else None
        self.signer = None
        if sender is not None and sender.dkim_private_key and sender.dkim_selector:
            self.signer = Signer(sender.dkim_domain or self.domain, sender.dkim_selector,
                                 sender.dkim_private_key)
        list_key = campaign.lists[0].key if campaign.lists else f"c{campaign.id}"
        list_name = campaign.lists[0].name if campaign.lists else campaign.name
        self.list_id = f"{_quote(list_name)} <{list_key}.{self.domain}>"

    def message_id(self, delivery: Delivery) -> str:
        """Stable per delivery, so a retry after a crash carries the same id."""
        return f"<nl.{delivery.campaign_id}.{delivery.id}@{self.domain}>"

    def return_path(self, delivery: Delivery) -> str:
        """VERP: a bounce names the delivery it belongs to."""
        return f"bounces+{tokens.short_sign(Purpose.BOUNCE, delivery.id)}@{self.bounce_domain}"

    def unsubscribe_url(self, delivery: Delivery) -> str:
        token = tokens.sign(Purpose.UNSUBSCRIBE, {"c": delivery.contact_id, "d": delivery.id})
        return f"{self.base_url}/u/{token}"

    def build(self, delivery: Delivery) -> OutgoingMessage:
        campaign = self.campaign
        unsubscribe = self.unsubscribe_url(delivery)
        mailto = (f"mailto:unsubscribe+{tokens.short_sign(Purpose.UNSUBSCRIBE, delivery.id)}"
                  f"@{self.bounce_domain}?subject=unsubscribe")
        msg = EmailMessage(policy=WIRE)
        msg["From"] = formataddr((self.from_name, self.from_email))
        msg["To"] = delivery.address
        msg["Subject"] = campaign.subject
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = self.message_id(delivery)
        if self.reply_to:
            msg["Reply-To"] = self.reply_to
        msg["List-Id"] = self.list_id
        msg["List-Unsubscribe"] = f"<{unsubscribe}>, <{mailto}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg.set_content(campaign.body_text + f"\n\n--\nUnsubscribe: {unsubscribe}\n",
                        cte="quoted-printable")
        if campaign.body_html:
            msg.add_alternative(campaign.body_html, subtype="html", cte="quoted-printable")
        data = msg.as_bytes()
        if self.signer is not None:
            data = self.signer.sign(data)
        return OutgoingMessage(self.return_path(delivery), delivery.address, data)


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "").replace('"', "") + '"'
