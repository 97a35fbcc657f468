"""Campaigns: drafting, starting (recipients materialized set-based in SQL), control
(schedule, pause, resume, cancel, resend) and status."""

import re
from datetime import timedelta

from sqlalchemy import Select, exists, func, insert, literal, select, text, update

from . import (
    blocklist,  # block list (seed 001): matching recipients are never sent
    suppression,
)
from .audience import normalize_email
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


class BadRecipients(CampaignError):
    """Extra recipients that are not valid addresses (all of them named)."""


def parse_extra_recipients(text: str, channel: str) -> list[str]:
    """One address (or phone) per line or separated by commas; all bad ones are reported."""
    items = [item.strip() for item in re.split(r"[\n,;]+", text or "") if item.strip()]
    good, bad = [], []
    for item in items:
        try:
            good.append(normalize_email(item) if channel == Channel.EMAIL else item)
        except DomainError:
            bad.append(item)
    if bad:
        raise BadRecipients("These extra recipients are not valid addresses: " + ", ".join(bad))
    return list(dict.fromkeys(good))


def save_campaign(session, campaign_id: int | None, *, name: str, subject: str,
                  body_text: str, list_ids: list[int], sender_id: int | None,
                  created_by_id: int | None = None, extra_recipients: str = "",
                  branch_id: int | None = None) -> Campaign:
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
    campaign.branch_id = branch_id
    campaign.extra_recipients = "\n".join(
        parse_extra_recipients(extra_recipients, campaign.channel or Channel.EMAIL))
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


def _check_sendable(campaign: Campaign) -> None:
    if not campaign.lists and not campaign.extra_recipients:
        raise CampaignError("Choose at least one list (or extra recipients) before sending.")
    if not campaign.subject or not campaign.body_text.strip():
        raise CampaignError("A campaign needs a subject and a body before it is sent.")


def start_campaign(session, campaign_id: int) -> int:
    """Materialize one delivery per recipient and mark the campaign running.
    Returns the number of deliveries created. The caller commits, then enqueues sending."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise CampaignError(f"The campaign is {campaign.status}; only a draft can be sent.")
    _check_sendable(campaign)
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
    rows = (
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
    if campaign.branch_id is not None:  # the optional branch split
        rows = rows.where(Contact.branch_id == campaign.branch_id)
    return rows


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
    _add_extra_recipients(session, campaign)
    # rowcount of INSERT ... SELECT is not reliable across drivers (psycopg 3 says -1)
    created = session.scalar(select(func.count()).where(Delivery.campaign_id == campaign.id))
    if created > 10_000:
        _fresh_statistics(session)
    return created


def _fresh_statistics(session) -> None:
    """After a large materialization: without fresh statistics the planner treats new
    rows as absent and picks the list's index over the batch's contacts for the
    unsubscribe re-check (SQLite keeps no statistics until asked; PostgreSQL's may be older
    than the last import)."""
    if session.get_bind().dialect.name == "postgresql":
        # autovacuum gets there too, but only after the first batches were planned
        session.execute(text("ANALYZE delivery, subscription, contact"))
    else:  # sampled, so it stays quick however large the tables are
        session.execute(text("PRAGMA analysis_limit=1000"))
        session.execute(text("ANALYZE"))


def _add_extra_recipients(session, campaign: Campaign) -> None:
    """The few addresses typed on the campaign: once each, not when suppressed; they carry
    the organization/branch/person of a matching contact for the block list."""
    extras = [a for a in campaign.extra_recipients.splitlines() if a]
    if not extras:
        return
    present = set(session.scalars(select(Delivery.address).where(
        Delivery.campaign_id == campaign.id, Delivery.address.in_(extras))))
    address = Contact.email if campaign.channel == Channel.EMAIL else Contact.phone
    known = {c_address: (org, branch, person) for c_address, org, branch, person in
             session.execute(select(address, Contact.organization_id, Contact.branch_id,
                                    Contact.person_id).where(address.in_(extras)))}
    for extra in extras:
        if extra in present or suppression.is_suppressed(session, extra):
            continue
        org, branch, person = known.get(extra, (None, None, None))
        session.add(Delivery(campaign_id=campaign.id, address=extra, organization_id=org,
                             branch_id=branch, person_id=person))
    session.flush()


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


def schedule_campaign(session, campaign_id: int, send_at) -> Campaign:
    """Send later (a date and time, or now plus a delay); recipients are resolved when the
    time comes, so late signups are included."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(f"The campaign is {campaign.status}; only a draft can be scheduled.")
    if send_at <= utcnow():
        raise CampaignError("Choose a time in the future.")
    _check_sendable(campaign)
    campaign.status, campaign.send_at = CampaignStatus.SCHEDULED, send_at
    session.flush()
    return campaign


def set_paused(session, campaign_id: int, paused: bool) -> Campaign:
    """Pause acts between messages: in-flight claims go back to the queue."""
    campaign = get_campaign(session, campaign_id)
    want_from, want_to = ((CampaignStatus.RUNNING, CampaignStatus.PAUSED) if paused
                          else (CampaignStatus.PAUSED, CampaignStatus.RUNNING))
    if campaign.status != want_from:
        raise CampaignError(f"The campaign is {campaign.status}; it cannot be "
                            f"{'paused' if paused else 'resumed'}.")
    campaign.status = want_to
    session.flush()
    return campaign


def cancel_campaign(session, campaign_id: int) -> int:
    """Stop for good: deliveries not yet sent are cancelled. Returns how many."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.PAUSED,
                               CampaignStatus.SCHEDULED):
        raise CampaignError(f"The campaign is {campaign.status}; there is nothing to cancel.")
    campaign.status, campaign.finished_at = CampaignStatus.CANCELLED, utcnow()
    result = session.execute(
        update(Delivery)
        .where(Delivery.campaign_id == campaign_id,
               Delivery.state.in_((DeliveryState.QUEUED, DeliveryState.DEFERRED)))
        .values(state=DeliveryState.CANCELLED)
        .execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount


def resend_failed(session, campaign_id: int) -> int:
    """After a problem is fixed: failed and deferred deliveries go back to the queue."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.FINISHED):
        raise CampaignError(f"The campaign is {campaign.status}; resume or start it first.")
    count = session.execute(
        update(Delivery)
        .where(Delivery.campaign_id == campaign_id,
               Delivery.state.in_((DeliveryState.FAILED, DeliveryState.DEFERRED)))
        .values(state=DeliveryState.QUEUED, attempts=0, next_attempt_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if count:
        campaign.status, campaign.finished_at = CampaignStatus.RUNNING, None
    session.flush()
    return count


def due_scheduled(session) -> list[int]:
    """Scheduled campaigns whose time has come (the reaper starts them if their job was
    lost)."""
    return list(session.scalars(select(Campaign.id).where(
        Campaign.status == CampaignStatus.SCHEDULED, Campaign.send_at <= utcnow())))


def live_status(session, campaign_id: int) -> dict:
    """Counters for the status tab, with progress and the rate over the last minute."""
    campaign = get_campaign(session, campaign_id)
    counts = delivery_counts(session, campaign_id)
    done = counts["recipients"] - counts["queued"] - counts["sending"] - counts["deferred"]
    since = utcnow() - timedelta(seconds=60)
    last_minute = session.scalar(select(func.count()).where(
        Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.SENT,
        Delivery.sent_at >= since))
    unsubscribed = session.scalar(select(func.count()).where(
        Delivery.campaign_id == campaign_id, Delivery.unsubscribed_at.is_not(None)))
    return {
        "status": campaign.status, **counts,
        "progress": round(100 * done / counts["recipients"], 1) if counts["recipients"] else 0,
        "rate_per_minute": last_minute, "unsubscribed": unsubscribed,
        "last_sent_at": campaign.last_sent_at.isoformat() + "Z" if campaign.last_sent_at
        else None,
    }
