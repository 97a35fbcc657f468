"""Campaign drafts: creating and editing one before it starts, with its lists, sender,
branch split and the extra recipients typed on it (OBERON)."""

import re

from sqlalchemy import select

from newsletter.audience.addresses import normalize_email
from newsletter.errors import DomainError
from newsletter.models import (
    Branch,
    Campaign,
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
        what = "addresses" if channel == Channel.EMAIL else "phone numbers with a country code"
        raise BadRecipients(f"These extra recipients are not valid {what}: " + ", ".join(bad))
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
        raise CampaignError("That segment does not exist.", "segment_id")
    if campaign_id is None:
        campaign = Campaign(channel=channel, created_by_id=created_by_id)
        session.add(campaign)
    else:
        campaign = get_campaign(session, campaign_id)
        if campaign.status != CampaignStatus.DRAFT:
            raise CampaignError("Only a draft can be edited; this campaign has started.")
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


def _check_references(session, list_ids: list[int], sender_id: int | None,
                      branch_id: int | None) -> None:
    found = session.scalars(select(MailingList.id).where(MailingList.id.in_(list_ids))).all()
    if len(found) != len(set(list_ids)):
        raise CampaignError("A chosen list does not exist.", "list_ids")
    if sender_id is not None and session.get(SenderIdentity, sender_id) is None:
        raise CampaignError("That sender does not exist.", "sender_id")
    if branch_id is not None and session.get(Branch, branch_id) is None:
        raise CampaignError("That branch does not exist.", "branch_id")


def get_campaign(session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("That campaign does not exist.")
    return campaign

