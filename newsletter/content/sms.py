"""Composing an SMS campaign (seed 002, OBERON's "e-mail or SMS"): the draft the form
submits, saved with every rule checked at save (the text within the part cap, its merge tags
compiled in the sandbox, the sender, the phone field, the gateway, extra recipients as
numbers), and the counter the form shows (characters, parts, encoding, the characters that
forced UCS-2, what transliteration would save)."""

from dataclasses import dataclass

from flask_babel import gettext

from newsletter.audience.addresses import InvalidName, clean_name
from newsletter.campaigns import drafts
from newsletter.errors import DomainError
from newsletter.models import Campaign, Channel, PhoneKind
from newsletter.sms import quota, senders
from newsletter.sms import text as sms_text
from newsletter.sms.parts import CONCATENATED, MAX_PARTS, SINGLE
from newsletter.texts import N_

from . import sandbox

#: merge tags offered by the tag picker above the text: (tag, label)
MERGE_TAGS = (("{{ first_name }}", N_("First name")), ("{{ last_name }}", N_("Last name")),
              ("{{ name }}", N_("Full name")), ("{{ organization }}", N_("Organization")),
              ("{{ phone }}", N_("Phone number")))


class SmsDraftError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class SmsDraft:
    name: str
    list_ids: list[int]
    text: str
    gateway: str
    sender: str = ""
    phone_field: str = PhoneKind.MAIN
    transliterate: bool = False
    opt_out: str = ""
    extra_recipients: str = ""
    branch_id: int | None = None
    segment_id: int | None = None  # optional saved segment narrowing the lists


@dataclass(frozen=True)
class Counter:
    """What the form shows under the text (the same figures the small script computes)."""

    characters: int
    units: int
    encoding: str
    parts: int
    per_part: int
    forced_ucs2: tuple[str, ...]
    saved_by_transliteration: int
    over_cap: bool

    @property
    def encoding_name(self) -> str:
        return "GSM-7" if self.encoding == "gsm7" else "UCS-2"


def counter(text: str, *, transliterated: bool = False, opt_out: str = "") -> Counter:
    summary = sms_text.describe(text, transliterated=transliterated, opt_out=opt_out)
    sent = summary.sent
    per_part = SINGLE[sent.encoding] if sent.count <= 1 else CONCATENATED[sent.encoding]
    return Counter(len(sent.text), sent.units, sent.encoding, sent.count, per_part,
                   sent.forced_ucs2, summary.saved_by_transliteration,
                   sent.count > MAX_PARTS)


def save_sms_draft(session, campaign_id: int | None, draft: SmsDraft, *, gateways: list[str],
                   created_by_id: int | None = None) -> Campaign:
    """Create or update an SMS draft; every rule is checked here, at save."""
    if campaign_id is not None and drafts.get_campaign(session, campaign_id).channel \
            != Channel.SMS:
        raise SmsDraftError(gettext("This campaign is an e-mail campaign."))
    try:
        clean_name(draft.name, "A campaign's name", max_length=200)
    except InvalidName as exc:
        raise SmsDraftError(str(exc), "name") from None
    if draft.gateway not in gateways:
        raise SmsDraftError(gettext("Choose one of the configured SMS gateways."), "gateway")
    if draft.phone_field not in PhoneKind.ALL:
        raise SmsDraftError(gettext("Choose which phone field to send to."), "phone_field")
    try:
        sms_text.check(draft.text, transliterated=draft.transliterate, opt_out=draft.opt_out)
        sandbox.compile_template(draft.text, html=False)
    except (sms_text.TextTooLong, sandbox.RenderError) as exc:
        field = "opt_out" if "opt-out" in str(exc) else "text"
        raise SmsDraftError(str(exc), field) from None
    try:
        sender = senders.clean(draft.sender,
                               alphanumeric_allowed=quota.alphanumeric_sender_allowed(session))
    except senders.InvalidSender as exc:
        raise SmsDraftError(str(exc), "sender") from None
    try:
        campaign = drafts.save_campaign(
            session, campaign_id, name=draft.name, subject="", body_text="",
            list_ids=draft.list_ids, sender_id=None, created_by_id=created_by_id,
            extra_recipients=draft.extra_recipients, branch_id=draft.branch_id,
            channel=Channel.SMS, segment_id=draft.segment_id)
    except drafts.BadRecipients as exc:
        raise SmsDraftError(str(exc), "extra_recipients") from None
    campaign.sms_text, campaign.sms_gateway, campaign.sms_sender = (
        draft.text, draft.gateway, sender)
    campaign.sms_phone_field, campaign.sms_transliterate = draft.phone_field, draft.transliterate
    campaign.sms_opt_out = draft.opt_out.strip()
    session.flush()
    return campaign
