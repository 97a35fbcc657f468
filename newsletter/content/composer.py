"""Composing campaigns: blocks and templates into sanitized content with checked merge tags,
and language variants. Images and attachments are in ``media``; test sends in
``newsletter.sending.testsend``."""

from dataclasses import dataclass

from flask_babel import gettext

from newsletter.audience.addresses import InvalidName, clean_name
from newsletter.campaigns import drafts
from newsletter.errors import DomainError
from newsletter.models import Campaign, Theme

from . import blocks as blockmod
from . import rendering, saved_templates


class ComposerError(DomainError):
    """``field``: the form field the problem is at; ``block``/``block_field``: for a
    problem inside one composer block, its index and field."""

    def __init__(self, message: str, field: str | None = None, block: int | None = None,
                 block_field: str | None = None):
        super().__init__(message)
        self.field, self.block, self.block_field = field, block, block_field


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
    preheader: str = ""  # the inbox preview line after the subject
    segment_id: int | None = None  # optional saved segment narrowing the lists


def prepare_content(subject: str, raw_blocks: list[dict], body_text: str | None,
                    where: str = "", complete: bool = True
                    ) -> tuple[list[dict], rendering.Content]:
    """Clean blocks and the content they make. ``complete``: refuse blocks that would go
    out broken (what is saved); the live preview shows unfinished ones as they are."""
    try:
        clean = blockmod.clean_blocks(raw_blocks)
        if complete:
            blockmod.check_blocks(clean)
        return clean, rendering.prepare(blockmod.blocks_html(clean), body_text, subject, where)
    except blockmod.BlockError as exc:
        raise ComposerError(f"{where} {exc}".strip(), field="blocks", block=exc.index,
                            block_field=exc.field) from exc
    except DomainError as exc:
        raise ComposerError(str(exc), field="blocks") from exc


def save_draft(session, campaign_id: int | None, draft: Draft,
               created_by_id: int | None = None) -> Campaign:
    """Create or update a draft with its content sanitized and its merge tags checked
    (an error is raised here, at save, never at send time)."""
    raw = draft.blocks
    if campaign_id is None and not raw:
        raw = saved_templates.blocks_for(session, draft.template) or []
    try:
        clean_name(draft.name, "A campaign's name", max_length=200)  # List-Id may show it
    except InvalidName as exc:
        raise ComposerError(str(exc), field="name") from None
    clean, content = prepare_content(draft.subject.strip(), raw,
                                     draft.body_text if draft.text_edited else None)
    if draft.theme_id is not None and session.get(Theme, draft.theme_id) is None:
        raise ComposerError(gettext("That theme does not exist."), field="theme")
    try:
        campaign = drafts.save_campaign(
            session, campaign_id, name=draft.name, subject=draft.subject,
            body_text=content.body_text, list_ids=draft.list_ids, sender_id=draft.sender_id,
            created_by_id=created_by_id, extra_recipients=draft.extra_recipients,
            branch_id=draft.branch_id, segment_id=draft.segment_id)
    except drafts.BadRecipients as exc:
        raise ComposerError(str(exc), field="extra_recipients") from exc
    campaign.blocks = clean
    campaign.body_html = content.body_html
    campaign.text_edited = draft.text_edited
    campaign.theme_id = draft.theme_id
    campaign.template = draft.template
    campaign.language = draft.language
    campaign.public_archive = draft.public_archive
    campaign.track_opens = draft.track_opens
    campaign.preheader = clean_preheader(draft.preheader)
    session.flush()
    return campaign


def clean_preheader(value: str) -> str:
    """One line of plain text, at most 200 characters (inboxes show about 100). No merge
    tags: it is laid out with the message, outside the content's template."""
    text = " ".join((value or "").split())
    if len(text) > 200:
        raise ComposerError(gettext("The preheader is at most %(num)d characters long.", num=200),
                            field="preheader")
    if any(mark in text for mark in ("{{", "{%", "{#")):
        raise ComposerError(gettext("The preheader is plain text: merge tags do not work there."),
                            field="preheader")
    return text


def editable(session, campaign_id: int) -> Campaign:
    campaign = drafts.get_campaign(session, campaign_id)
    if campaign.status != "draft":
        raise ComposerError(gettext("Only a draft can be changed; this campaign has started."))
    return campaign


def save_variant(session, campaign_id: int, language: str, subject: str,
                 raw_blocks: list[dict], body_text: str | None) -> Campaign:
    """Content for recipients whose notification language is ``language``."""
    campaign = editable(session, campaign_id)
    language = language.strip().lower()
    if not (2 <= len(language) <= 8 and language.replace("-", "").isalpha()):
        raise ComposerError(gettext("A language is a code like de or sk."), field="language")
    if language == campaign.language:
        raise ComposerError(gettext("That is the campaign's main language."), field="language")
    if not subject.strip():
        raise ComposerError(gettext("The variant needs a subject."), field="subject")
    clean, content = prepare_content(subject.strip(), raw_blocks, body_text, f"[{language}]")
    variants = dict(campaign.variants or {})
    variants[language] = {"subject": content.subject, "blocks": clean,
                          "body_html": content.body_html, "body_text": content.body_text,
                          "text_edited": bool(body_text and body_text.strip())}
    campaign.variants = variants  # a new dict, so the JSON column is written
    session.flush()
    return campaign


def delete_variant(session, campaign_id: int, language: str) -> None:
    campaign = editable(session, campaign_id)
    campaign.variants = {k: v for k, v in (campaign.variants or {}).items() if k != language}
    session.flush()
