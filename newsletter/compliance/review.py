"""Content review (seed 004, 3.3.2): a campaign whose content matches a category is held in
state ``review`` with the matched passages; a reviewer or owner approves it (with a reason)
or rejects it (with a message). An approval covers the content it saw: changed content is
held again. Every step is in the audit log."""

import hashlib
import json
import re
from html.parser import HTMLParser

from flask_babel import gettext
from sqlalchemy import select

from newsletter.campaigns.drafts import CampaignError, get_campaign
from newsletter.errors import DomainError
from newsletter.models import (
    Campaign,
    CampaignReview,
    CampaignStatus,
    ReviewCategory,
    ReviewState,
    Role,
    User,
    utcnow,
)
from newsletter.platform import audit

from .categories import DEFAULTS
from .contentrules import Category, Finding, compile_pattern
from .contentrules import review as find

DECIDERS = (Role.REVIEWER, Role.OWNER)
DEFAULT_KEYS = {category.key: category for category in DEFAULTS}


class FieldError(DomainError):
    """A rule the owner typed is not usable; ``field`` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def categories(session, include_inactive: bool = False) -> list[Category]:
    """The rules in force: the defaults, each replaced by the owner's row of its key, then
    the owner's own categories."""
    rows = {row.key: row for row in session.scalars(select(ReviewCategory)
                                                    .order_by(ReviewCategory.key))}
    result = []
    for key in [d.key for d in DEFAULTS] + [k for k in rows if k not in DEFAULT_KEYS]:
        row = rows.get(key)
        if row is None:
            result.append(DEFAULT_KEYS[key])
        elif row.active or include_inactive:
            result.append(Category(row.key, row.name, lines(row.patterns), lines(row.allowed),
                                   lines(row.exceptions), lines(row.void)))
    return result


def inactive_keys(session) -> set[str]:
    return set(session.scalars(select(ReviewCategory.key).where(~ReviewCategory.active)))


def save_category(session, key: str, *, name: str, patterns: str, allowed: str,
                  exceptions: str, void: str, active: bool, actor: str) -> ReviewCategory:
    """The owner's rules for a category (a default's key replaces that default)."""
    key = (key or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9_]{1,32}", key):
        raise FieldError("key", gettext("Letters, digits and _ only (at most 32)."))
    if not (name or "").strip():
        raise FieldError("name", gettext("Name the category."))
    fields = {"patterns": patterns, "allowed": allowed, "exceptions": exceptions,
              "void": void}
    for field, text in fields.items():
        bad = [line for line in lines(text) if not compile_pattern(line)]
        if bad:
            raise FieldError(field, gettext("No words in: %(lines)s", lines=", ".join(bad)))
    if not lines(patterns):
        raise FieldError("patterns", gettext("Give at least one pattern."))
    row = session.get(ReviewCategory, key) or ReviewCategory(key=key)
    row.name, row.active, row.updated_at = name.strip()[:200], active, utcnow()
    for field, text in fields.items():
        setattr(row, field, "\n".join(lines(text)))
    session.add(row)
    audit.record(session, actor, "review.rules", f"category {key}",
                 f"{len(lines(patterns))} patterns, {len(lines(exceptions))} exceptions"
                 + ("" if active else ", switched off"))
    session.flush()
    return row


class _Parts(HTMLParser):
    """The HTML's visible text, image alt texts and link targets."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.alts, self.links, self._skip = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "img" and values.get("alt"):
            self.alts.append(values["alt"])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def texts_of(campaign: Campaign) -> list[tuple[str, str]]:
    """Every text the review scans, as (where, text): subject, preheader, plain text, the
    HTML's visible text, image alt texts and link targets, of each language."""
    versions = [("", campaign.subject, campaign.body_html, campaign.body_text)] + [
        (f"{lang}: ", v.get("subject", ""), v.get("body_html", ""), v.get("body_text", ""))
        for lang, v in sorted(campaign.variants.items())]
    texts = [("preheader", campaign.preheader)] if campaign.preheader else []
    for prefix, subject, html, text in versions:
        parts = _Parts()
        parts.feed(html or "")
        texts += [(f"{prefix}subject", subject), (f"{prefix}text", text),
                  (f"{prefix}HTML text", " ".join(parts.text))]
        texts += [(f"{prefix}image text", alt) for alt in parts.alts]
        texts += [(f"{prefix}link", href) for href in parts.links]
    if campaign.sms_text:
        texts.append(("SMS text", campaign.sms_text))
    return texts


def content_hash(campaign: Campaign) -> str:
    """What an approval covers: every text the review scans, in every language (subject,
    preheader, blocks, HTML, plain text, variants, the SMS text). Names, lists and senders are not
    content: changing them keeps the approval."""
    content = [campaign.subject, campaign.blocks, campaign.body_html, campaign.body_text,
               campaign.variants, campaign.sms_text]
    if campaign.preheader:  # (absent, the hash stays what approvals before it recorded)
        content.append(campaign.preheader)
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def findings_of(session, campaign: Campaign) -> list[Finding]:
    return find(categories(session), texts_of(campaign))


def latest(session, campaign_id: int) -> CampaignReview | None:
    return session.scalar(select(CampaignReview).where(CampaignReview.campaign_id == campaign_id)
                          .order_by(CampaignReview.id.desc()).limit(1))


def cleared(session, campaign: Campaign) -> bool:
    """Nothing matches, or a reviewer approved exactly this content."""
    last = latest(session, campaign.id)
    if last and last.state == ReviewState.APPROVED and last.content_hash == content_hash(
            campaign):
        return True
    return not findings_of(session, campaign)


def hold_if_flagged(session, campaign_id: int, actor: str,
                    why: str = "") -> CampaignReview | None:
    """Hold a draft (or due scheduled campaign) whose content matches and is not cleared;
    the caller commits. None: nothing to hold."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED) or \
            cleared(session, campaign):
        return None
    found = findings_of(session, campaign)
    held = CampaignReview(campaign_id=campaign.id, state=ReviewState.HELD,
                          content_hash=content_hash(campaign),
                          findings=[f.__dict__ for f in found])
    session.add(held)
    campaign.status, campaign.send_at = CampaignStatus.REVIEW, None
    audit.record(session, actor, "review.held", f"campaign {campaign.id} “{campaign.name}”",
                 why + ", ".join(sorted({f.name for f in found})))
    session.flush()
    return held


def recheck_edited(session, campaign_id: int, actor: str) -> CampaignReview | None:
    """After an edit: a campaign whose approved content changed (and still matches a
    category) goes back to review at once; a save that changed nothing keeps the approval.
    The caller commits and then tells the editor (``jobs.enqueue_review_mail``)."""
    campaign = get_campaign(session, campaign_id)
    last = latest(session, campaign_id)
    if last is None or last.state != ReviewState.APPROVED or \
            last.content_hash == content_hash(campaign):
        return None
    return hold_if_flagged(session, campaign_id, actor, "changed after its approval: ")


def decide(session, campaign_id: int, user: User, approve: bool, note: str) -> CampaignReview:
    """A reviewer's or owner's decision on a held campaign; it goes back to being a draft
    (sendable once approved; to be changed once rejected). The caller commits and then
    tells the editor (``jobs.enqueue_review_mail``)."""
    if user.role not in DECIDERS:
        raise DomainError(gettext("Only a reviewer or an owner decides on held campaigns."))
    note = (note or "").strip()
    if not note:
        raise CampaignError(gettext("Give a reason for the approval (e.g. “B2B exception”).")
                            if approve else gettext("Tell the editor why it was rejected."))
    campaign = get_campaign(session, campaign_id)
    held = latest(session, campaign_id)
    if campaign.status != CampaignStatus.REVIEW or held is None or \
            held.state != ReviewState.HELD:
        raise CampaignError(gettext("This campaign is not waiting for review."))
    held.state = ReviewState.APPROVED if approve else ReviewState.REJECTED
    held.note, held.decided_by_id, held.decided_at = note[:2000], user.id, utcnow()
    campaign.status = CampaignStatus.DRAFT
    audit.record(session, user.email, f"review.{held.state}",
                 f"campaign {campaign.id} “{campaign.name}”", note[:2000])
    session.flush()
    return held
