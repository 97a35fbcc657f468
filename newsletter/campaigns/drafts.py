"""Campaign drafts: creating and editing one before it starts, with its lists, sender,
branch split and the extra recipients typed on it (OBERON)."""

import copy as copying
import re

from flask_babel import gettext
from sqlalchemy import select

from newsletter.audience.addresses import normalize_email
from newsletter.errors import DomainError
from newsletter.models import (
    Branch,
    Campaign,
    CampaignAttachment,
    CampaignStatus,
    Channel,
    MailingList,
    Segment,
    SenderIdentity,
)
from newsletter.sms import numbers


class CampaignError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def status_name(status: str) -> str:
    """A campaign status as a person reads it in an error (the stored value stays English)."""
    names = {CampaignStatus.DRAFT: gettext("draft"), CampaignStatus.SCHEDULED: gettext("scheduled"),
             CampaignStatus.REVIEW: gettext("review"), CampaignStatus.RUNNING: gettext("running"),
             CampaignStatus.PAUSED: gettext("paused"), CampaignStatus.FINISHED: gettext("finished"),
             CampaignStatus.CANCELLED: gettext("cancelled")}
    return names.get(status, status)


class BadRecipients(CampaignError):
    """Extra recipients that are not valid addresses (all of them named)."""


def parse_extra_recipients(text: str, channel: str) -> list[str]:
    """One address (or phone) per line or separated by commas; all bad ones are reported."""
    items = [item.strip() for item in re.split(r"[\n,;]+", text or "") if item.strip()]
    good, bad = [], []
    for item in items:
        try:
            good.append(normalize_email(item) if channel == Channel.EMAIL
                        else numbers.to_e164(item))
        except DomainError:
            bad.append(item)
    if bad:
        if channel == Channel.EMAIL:
            raise BadRecipients(gettext("These extra recipients are not valid addresses: "
                                        "%(items)s", items=", ".join(bad)))
        raise BadRecipients(gettext("These extra recipients are not valid phone numbers with a "
                                    "country code: %(items)s", items=", ".join(bad)))
    return list(dict.fromkeys(good))


def save_campaign(session, campaign_id: int | None, *, name: str, subject: str,
                  body_text: str, list_ids: list[int], sender_id: int | None,
                  created_by_id: int | None = None, extra_recipients: str = "",
                  branch_id: int | None = None, channel: str = Channel.EMAIL,
                  segment_id: int | None = None) -> Campaign:
    """Create a draft (of ``channel``), or update one that has not started yet. A
    ``segment_id`` narrows the lists' recipients to the segment's contacts."""
    _check_references(session, list_ids, sender_id, branch_id)
    if segment_id is not None and session.get(Segment, segment_id) is None:
        raise CampaignError(gettext("That segment does not exist."), "segment_id")
    if campaign_id is None:
        campaign = Campaign(channel=channel, created_by_id=created_by_id)
        session.add(campaign)
    else:
        campaign = get_campaign(session, campaign_id)
        if campaign.status != CampaignStatus.DRAFT:
            raise CampaignError(gettext("Only a draft can be edited; this campaign has started."))
    campaign.name = name.strip()
    campaign.subject = subject.strip()
    campaign.body_text = body_text
    campaign.sender_id = sender_id
    campaign.branch_id = branch_id
    campaign.segment_id = segment_id
    campaign.extra_recipients = "\n".join(
        parse_extra_recipients(extra_recipients, campaign.channel or Channel.EMAIL))
    campaign.lists = list(
        session.scalars(select(MailingList).where(MailingList.id.in_(list_ids)))
    )
    session.flush()
    return campaign


def set_segment(session, campaign_id: int, segment_id: int | None) -> Campaign:
    """Narrow a draft's lists to a saved segment's contacts (None: everyone on them)."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(gettext("Only a draft can be edited; this campaign has started."))
    if segment_id is not None and session.get(Segment, segment_id) is None:
        raise CampaignError(gettext("That segment does not exist."), "segment_id")
    campaign.segment_id = segment_id
    session.flush()
    return campaign


def _check_references(session, list_ids: list[int], sender_id: int | None,
                      branch_id: int | None) -> None:
    found = session.scalars(select(MailingList.id).where(MailingList.id.in_(list_ids))).all()
    if len(found) != len(set(list_ids)):
        raise CampaignError(gettext("A chosen list does not exist."), "list_ids")
    if sender_id is not None and session.get(SenderIdentity, sender_id) is None:
        raise CampaignError(gettext("That sender does not exist."), "sender_id")
    if branch_id is not None and session.get(Branch, branch_id) is None:
        raise CampaignError(gettext("That branch does not exist."), "branch_id")


def get_campaign(session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError(gettext("That campaign does not exist."))
    return campaign



#: what a copy takes over: the content and the audience, never the state of a sending
COPIED_FIELDS = ("channel", "subject", "preheader", "body_text", "body_html", "sender_id",
                 "extra_recipients", "branch_id", "theme_id", "template", "blocks",
                 "text_edited", "language", "variants", "public_archive", "track_opens",
                 "sms_text", "sms_sender", "sms_gateway", "sms_phone_field",
                 "sms_transliterate", "sms_opt_out", "local_send_time")


def duplicate_campaign(session, campaign_id: int, created_by_id: int | None = None
                       ) -> Campaign:
    """A new draft with the content, lists and attachments of any campaign (draft,
    scheduled, sent, cancelled ...). It starts afresh: not scheduled, not test-sent, no
    deliveries or statistics."""
    source = get_campaign(session, campaign_id)
    duplicate = Campaign(created_by_id=created_by_id, status=CampaignStatus.DRAFT,
                          name=f"Copy of {source.name}"[:200])
    for name in COPIED_FIELDS:
        setattr(duplicate, name, _copied(getattr(source, name)))
    duplicate.lists = list(source.lists)
    duplicate.attachments = [
        CampaignAttachment(filename=a.filename, content_type=a.content_type, size=a.size,
                           data=a.data) for a in source.attachments]
    session.add(duplicate)
    session.flush()
    return duplicate


def _copied(value):
    """JSON columns (blocks, variants) are copied, not shared with the source."""
    return copying.deepcopy(value) if isinstance(value, (list, dict)) else value
