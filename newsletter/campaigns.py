"""Campaigns: drafting, starting (recipients materialized set-based in SQL) and status."""

from sqlalchemy import Select, exists, func, insert, literal, select, update

from . import blocklist  # block list (seed 001): matching recipients are never sent
from .errors import DomainError
from .models import (
    Branch,
    Campaign,
    CampaignStatus,
    Channel,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryState,
    MailingList,
    Subscription,
    SubscriptionStatus,
    campaign_list,
    utcnow,
)


class CampaignError(DomainError):
    pass


def save_campaign(session, campaign_id: int | None, *, name: str, subject: str,
                  body_text: str, list_ids: list[int], sender_id: int | None,
                  created_by_id: int | None = None) -> Campaign:
    """Create a draft, or update one that has not started yet."""
    if campaign_id is None:
        campaign = Campaign(channel=Channel.EMAIL, created_by_id=created_by_id)
        session.add(campaign)
    else:
        campaign = get_campaign(session, campaign_id)
        if campaign.status != CampaignStatus.DRAFT:
            raise CampaignError("Only a draft can be edited; this campaign has started.")
    campaign.name = name.strip()
    campaign.subject = subject.strip()
    campaign.body_text = body_text
    campaign.sender_id = sender_id
    campaign.lists = list(
        session.scalars(select(MailingList).where(MailingList.id.in_(list_ids)))
    )
    session.flush()
    return campaign


def get_campaign(session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("That campaign does not exist.")
    return campaign


def start_campaign(session, campaign_id: int) -> int:
    """Materialize one delivery per recipient and mark the campaign running.
    Returns the number of deliveries created. The caller commits, then enqueues sending."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(f"The campaign is {campaign.status}; only a draft can be sent.")
    if not campaign.lists:
        raise CampaignError("Choose at least one list before sending.")
    if not campaign.subject or not campaign.body_text.strip():
        raise CampaignError("A campaign needs a subject and a body before it is sent.")
    created = _materialize(session, campaign)
    if created == 0:
        raise CampaignError("The chosen lists have no confirmed subscribers to send to.")
    blocklist.mark_blocked(session, campaign.id)
    campaign.status = CampaignStatus.RUNNING
    campaign.started_at = utcnow()
    session.flush()
    return created


def recipient_rows(campaign: Campaign) -> Select:
    """The campaign's recipients as rows (contact_id, address, organization_id, branch_id,
    person_id): each active contact confirmed on any chosen list, once. A branch implies
    its organization, so a row with a branch always carries that organization."""
    address = Contact.email if campaign.channel == Channel.EMAIL else Contact.phone
    subscribed = exists().where(
        campaign_list.c.campaign_id == campaign.id,
        Subscription.list_id == campaign_list.c.list_id,
        Subscription.contact_id == Contact.id,
        Subscription.channel == campaign.channel,
        Subscription.status == SubscriptionStatus.CONFIRMED,
    )
    return (
        select(
            Contact.id.label("contact_id"), address.label("address"),
            func.coalesce(Contact.organization_id, Branch.organization_id)
            .label("organization_id"),
            Contact.branch_id.label("branch_id"), Contact.person_id.label("person_id"),
        )
        .select_from(Contact)
        .outerjoin(Branch, Branch.id == Contact.branch_id)
        .where(Contact.status == ContactStatus.ACTIVE, address.is_not(None), subscribed)
    )


def _materialize(session, campaign: Campaign) -> int:
    """INSERT ... SELECT of the recipient rows, one delivery each."""
    r = recipient_rows(campaign).subquery()
    rows = select(
        literal(campaign.id), r.c.contact_id, r.c.address, r.c.organization_id,
        r.c.branch_id, r.c.person_id, literal(DeliveryState.QUEUED), literal(utcnow()),
        literal(0),
    )
    session.execute(
        insert(Delivery).from_select(
            ["campaign_id", "contact_id", "address", "organization_id", "branch_id",
             "person_id", "state", "created_at", "attempts"],
            rows,
        )
    )
    # rowcount of INSERT ... SELECT is not reliable across drivers (psycopg 3 says -1)
    return session.scalar(select(func.count()).where(Delivery.campaign_id == campaign.id))


def delivery_counts(session, campaign_id: int) -> dict[str, int]:
    """Deliveries per state, plus ``recipients`` (all of them)."""
    rows = session.execute(
        select(Delivery.state, func.count())
        .where(Delivery.campaign_id == campaign_id)
        .group_by(Delivery.state)
    )
    counts = {state: 0 for state in (
        DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.SENT, DeliveryState.DEFERRED,
        DeliveryState.FAILED, DeliveryState.BOUNCED, DeliveryState.BLOCKED,
        DeliveryState.CANCELLED)}
    counts.update(dict(rows.all()))
    counts["recipients"] = sum(counts.values())
    return counts


def recent_errors(session, campaign_id: int, limit: int = 20) -> list[Delivery]:
    return list(session.scalars(
        select(Delivery)
        .where(Delivery.campaign_id == campaign_id, Delivery.error.is_not(None))
        .order_by(Delivery.id.desc())
        .limit(limit)
    ))


def finish_if_done(session, campaign_id: int) -> bool:
    """Mark a running campaign finished once nothing is queued, deferred or in flight."""
    pending = session.scalar(
        select(func.count()).where(
            Delivery.campaign_id == campaign_id, Delivery.state.in_(DeliveryState.PENDING)
        )
    )
    if pending:
        return False
    result = session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == CampaignStatus.RUNNING)
        .values(status=CampaignStatus.FINISHED, finished_at=utcnow())
    )
    return result.rowcount == 1
