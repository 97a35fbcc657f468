"""Composing campaigns: blocks and templates into sanitized content with checked merge tags,
language variants, uploaded images, attachments and test sends."""

import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from . import blocks as blockmod
from . import campaigns, queue, rendering, webview
from .errors import DomainError
from .messages import MessageFactory
from .models import Campaign, CampaignAttachment, Contact, Theme, Upload, utcnow

IMAGE_TYPES = {  # magic bytes -> content type; the upload's own claim is not trusted
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS_TOTAL = 10 * 1024 * 1024
BLOCKED_EXTENSIONS = (".exe", ".bat", ".cmd", ".com", ".js", ".vbs", ".scr", ".msi", ".jar",
                      ".ps1", ".sh", ".html", ".htm")
MAX_TEST_ADDRESSES = 10


class ComposerError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Draft:
    """What the campaign form submits."""

    name: str
    subject: str
    list_ids: list[int]
    sender_id: int | None
    theme_id: int | None
    template: str
    blocks: list[dict]
    body_text: str
    text_edited: bool
    language: str = "en"
    public_archive: bool = False
    track_opens: bool = False
    extra_recipients: str = ""  # addresses typed on the campaign (OBERON), one per line
    branch_id: int | None = None  # optional branch split


def prepare_content(subject: str, raw_blocks: list[dict], body_text: str | None,
                    where: str = "") -> tuple[list[dict], rendering.Content]:
    try:
        clean = blockmod.clean_blocks(raw_blocks)
        return clean, rendering.prepare(blockmod.blocks_html(clean), body_text, subject, where)
    except DomainError as exc:
        raise ComposerError(str(exc), field="blocks") from exc


def save_draft(session, campaign_id: int | None, draft: Draft,
               created_by_id: int | None = None) -> Campaign:
    """Create or update a draft with its content sanitized and its merge tags checked
    (an error is raised here, at save, never at send time)."""
    raw = draft.blocks
    if campaign_id is None and not raw:
        raw = blockmod.template_blocks(draft.template) if draft.template in \
            blockmod.TEMPLATES else []
    clean, content = prepare_content(draft.subject.strip(), raw,
                                     draft.body_text if draft.text_edited else None)
    if draft.theme_id is not None and session.get(Theme, draft.theme_id) is None:
        raise ComposerError("That theme does not exist.", field="theme")
    try:
        campaign = campaigns.save_campaign(
            session, campaign_id, name=draft.name, subject=draft.subject,
            body_text=content.body_text, list_ids=draft.list_ids, sender_id=draft.sender_id,
            created_by_id=created_by_id, extra_recipients=draft.extra_recipients,
            branch_id=draft.branch_id)
    except campaigns.BadRecipients as exc:
        raise ComposerError(str(exc), field="extra_recipients") from exc
    campaign.blocks = clean
    campaign.body_html = content.body_html
    campaign.text_edited = draft.text_edited
    campaign.theme_id = draft.theme_id
    campaign.template = draft.template
    campaign.language = draft.language
    campaign.public_archive = draft.public_archive
    campaign.track_opens = draft.track_opens
    session.flush()
    return campaign


def _editable(session, campaign_id: int) -> Campaign:
    campaign = campaigns.get_campaign(session, campaign_id)
    if campaign.status != "draft":
        raise ComposerError("Only a draft can be changed; this campaign has started.")
    return campaign


def save_variant(session, campaign_id: int, language: str, subject: str,
                 raw_blocks: list[dict], body_text: str | None) -> Campaign:
    """Content for recipients whose notification language is ``language``."""
    campaign = _editable(session, campaign_id)
    language = language.strip().lower()
    if not (2 <= len(language) <= 8 and language.replace("-", "").isalpha()):
        raise ComposerError("A language is a code like de or sk.", field="language")
    if language == campaign.language:
        raise ComposerError("That is the campaign's main language.", field="language")
    if not subject.strip():
        raise ComposerError("The variant needs a subject.", field="subject")
    clean, content = prepare_content(subject.strip(), raw_blocks, body_text, f"[{language}]")
    variants = dict(campaign.variants or {})
    variants[language] = {"subject": content.subject, "blocks": clean,
                          "body_html": content.body_html, "body_text": content.body_text,
                          "text_edited": bool(body_text and body_text.strip())}
    campaign.variants = variants  # a new dict, so the JSON column is written
    session.flush()
    return campaign


def delete_variant(session, campaign_id: int, language: str) -> None:
    campaign = _editable(session, campaign_id)
    campaign.variants = {k: v for k, v in (campaign.variants or {}).items() if k != language}
    session.flush()


# --- files ------------------------------------------------------------------------------
def add_image(session, filename: str, data: bytes) -> Upload:
    """Store an uploaded image; only PNG, JPEG and GIF up to 2 MB, judged by content."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ComposerError("Images can be at most 2 MB.", field="image")
    content_type = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if content_type is None:
        raise ComposerError("Only PNG, JPEG and GIF images can be uploaded.", field="image")
    upload = Upload(key=secrets.token_urlsafe(12), filename=filename[-200:] or "image",
                    content_type=content_type, size=len(data), data=data)
    session.add(upload)
    session.flush()
    return upload


def recent_images(session, limit: int = 24) -> list[Upload]:
    return list(session.scalars(select(Upload).order_by(Upload.id.desc()).limit(limit)))


def get_image(session, key: str) -> Upload | None:
    return session.scalar(select(Upload).where(Upload.key == key))


def add_attachment(session, campaign_id: int, filename: str, content_type: str,
                   data: bytes) -> CampaignAttachment:
    campaign = _editable(session, campaign_id)
    name = (filename or "").strip()[-200:]
    if not name or name.lower().endswith(BLOCKED_EXTENSIONS):
        raise ComposerError("That kind of file cannot be attached.", field="file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ComposerError("An attachment can be at most 5 MB.", field="file")
    total = session.scalar(select(func.coalesce(func.sum(CampaignAttachment.size), 0))
                           .where(CampaignAttachment.campaign_id == campaign.id))
    if total + len(data) > MAX_ATTACHMENTS_TOTAL:
        raise ComposerError("Attachments of one campaign can be at most 10 MB together.",
                            field="file")
    if "/" not in (content_type or "") or content_type.startswith("text/html"):
        content_type = "application/octet-stream"
    item = CampaignAttachment(campaign_id=campaign.id, filename=name, size=len(data),
                              content_type=content_type, data=data)
    session.add(item)
    session.flush()
    return item


def remove_attachment(session, campaign_id: int, attachment_id: int) -> None:
    _editable(session, campaign_id)
    item = session.get(CampaignAttachment, attachment_id)
    if item is None or item.campaign_id != campaign_id:
        raise ComposerError("That attachment does not exist.")
    session.delete(item)
    session.flush()


# --- test send --------------------------------------------------------------------------
def parse_addresses(text: str) -> list[str]:
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    addresses = [p for p in parts if p]
    if not addresses:
        raise ComposerError("Enter at least one address.", field="addresses")
    if len(addresses) > MAX_TEST_ADDRESSES:
        raise ComposerError(f"At most {MAX_TEST_ADDRESSES} test addresses.", field="addresses")
    try:
        return [validate_email(a, check_deliverability=False).normalized for a in addresses]
    except EmailNotValidError as exc:
        raise ComposerError(f"Not a valid address: {exc}", field="addresses") from exc


def request_test(session, campaign_id: int, addresses_text: str,
                 contact_email: str = "") -> tuple[list[str], int | None]:
    """Check a test send; the caller commits, then enqueues ``send_test_job``."""
    campaign = campaigns.get_campaign(session, campaign_id)
    addresses = parse_addresses(addresses_text)
    contact_id = None
    if contact_email.strip():
        contact_id = session.scalar(select(Contact.id).where(
            Contact.email == contact_email.strip().lower()))
        if contact_id is None:
            raise ComposerError("No contact has that address.", field="contact")
    campaign.tested_at = utcnow()
    session.flush()
    return addresses, contact_id


def enqueue_test(campaign_id: int, addresses: list[str], contact_id: int | None) -> None:
    queue.enqueue("newsletter.composer.send_test_job", campaign_id, addresses, contact_id,
                  job_timeout=120)


def send_test_job(campaign_id: int, addresses: list[str], contact_id: int | None) -> None:
    """RQ job: the test message to each address, rendered with the contact's data."""
    from flask import current_app

    from .extensions import db
    from .messengers import SMTPMessenger, smtp_settings

    config = current_app.config
    campaign = campaigns.get_campaign(db.session, campaign_id)
    contact = db.session.get(Contact, contact_id) if contact_id else None
    messenger = SMTPMessenger(smtp_settings(config))
    factory = MessageFactory(campaign, base_url=config["BASE_URL"],
                             default_from=config["MAIL_FROM"])
    rendered = webview.render_test(campaign, contact, config["BASE_URL"])
    try:
        for address in addresses:
            messenger.send(factory.build_test(address, rendered))
    finally:
        messenger.close()
