"""Follow-ups: the same message, with a new subject, to the recipients of a campaign who
did not click (or did not open, when opens were tracked), some days after it started.

A follow-up is an ordinary draft that remembers what it follows (``resend_of_id``, to whom,
after how many days). Its recipients are resolved when it starts, like any campaign's:
the usual rules first (still confirmed on a list, active, consent, block list), and then
only those whose message of the first campaign went out and was not clicked (or opened).
So whoever unsubscribed, bounced or complained in between is left out by construction."""

from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import exists, select

from newsletter.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Click,
    Contact,
    Delivery,
    DeliveryState,
    utcnow,
)

from .drafts import CampaignError, duplicate_campaign, get_campaign

NON_CLICKERS = "non_clickers"
NON_OPENERS = "non_openers"
AUDIENCES = {NON_CLICKERS: "who did not click", NON_OPENERS: "who did not open"}
MAX_DAYS = 30
EARLIEST_MINUTES = 5


def create_follow_up(session, campaign_id: int, *, subject: str, days: int, audience: str,
                     created_by_id: int | None = None) -> Campaign:
    """A draft that resends campaign ``campaign_id`` (started, e-mail) with ``subject`` to
    its recipients of ``audience``, to be sent ``days`` days after that campaign started."""
    original = get_campaign(session, campaign_id)
    if original.channel != Channel.EMAIL:
        raise CampaignError(gettext("Only e-mail campaigns can be followed up."))
    if original.started_at is None or original.status not in (
            CampaignStatus.RUNNING, CampaignStatus.PAUSED, CampaignStatus.FINISHED):
        raise CampaignError(gettext("Only a campaign that has been sent can be followed up."))
    if audience not in AUDIENCES:
        raise CampaignError(gettext("Choose who gets the follow-up."), "audience")
    if audience == NON_OPENERS and not original.track_opens:
        raise CampaignError(gettext("Opens were not tracked for this campaign: follow up with "
                                    "those who did not click instead."), "audience")
    if not 0 <= days <= MAX_DAYS:
        raise CampaignError(gettext("Choose between 0 and %(num)d days.", num=MAX_DAYS), "days")
    if not subject.strip():
        raise CampaignError(gettext("A follow-up needs its own subject."), "subject")
    follow_up = duplicate_campaign(session, original.id, created_by_id)
    follow_up.name = f"{original.name} · follow-up"[:200]
    follow_up.subject = subject.strip()
    follow_up.extra_recipients = ""  # only contacts can have not clicked
    follow_up.public_archive = False  # the archive has the first one already
    follow_up.resend_of_id, follow_up.resend_to = original.id, audience
    follow_up.resend_after_days = days
    session.flush()
    return follow_up


def suggested_send_at(session, campaign: Campaign) -> datetime | None:
    """When a follow-up draft should go: its days after the first campaign started (and
    not before a few minutes from now)."""
    if campaign.resend_of_id is None or campaign.status != CampaignStatus.DRAFT:
        return None
    original = session.get(Campaign, campaign.resend_of_id)
    if original is None or original.started_at is None:
        return None
    return max(original.started_at + timedelta(days=campaign.resend_after_days),
               utcnow() + timedelta(minutes=EARLIEST_MINUTES)).replace(second=0,
                                                                      microsecond=0)


def audience_filter(campaign: Campaign):
    """The condition (on ``Contact``) a follow-up adds to the recipient rules: the contact's
    message of the first campaign was sent (not bounced, failed or blocked) and not clicked
    (nor opened, for non-openers: a click counts as an open)."""
    first = select(Delivery.id).where(
        Delivery.campaign_id == campaign.resend_of_id, Delivery.contact_id == Contact.id,
        Delivery.state == DeliveryState.SENT,
        ~exists().where(Click.delivery_id == Delivery.id))
    if campaign.resend_to == NON_OPENERS:
        first = first.where(Delivery.opened_at.is_(None))
    return exists(first)
