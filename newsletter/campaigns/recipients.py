"""Who receives a campaign: recipients resolved set-based in SQL (lists, confirmed consent
on the channel, active contacts, the optional branch split and saved segment, extra
recipients, one row per address), materialized as deliveries at start, and the recipients
check that shows, before sending, who is reached and whom the block list stops."""

from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import (
    Integer,
    Select,
    and_,
    cast,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    text,
)
from sqlalchemy.orm import object_session

from newsletter.audience import suppression
from newsletter.blocklist import entries, matching
from newsletter.models import (
    BlocklistEntry,
    Branch,
    Campaign,
    Channel,
    ConsentRecord,
    Contact,
    ContactPhone,
    ContactStatus,
    Delivery,
    DeliveryState,
    LegalBasis,
    Organization,
    Person,
    PhoneKind,
    Subscription,
    SubscriptionStatus,
    campaign_list,
    utcnow,
)
from newsletter.segments import segments
from newsletter.segments.conditions import SegmentError
from newsletter.sms import numbers

from . import followup
from .drafts import CampaignError, get_campaign

CHECK_PAGE_SIZE = 50


def has_basis(campaign: Campaign):
    """A contact has a recorded basis for this campaign (seed 004, 3.2.1): consent or
    legitimate interest (or a contract) granted on one of its lists, or on none in
    particular, for its channel."""
    return exists().where(
        ConsentRecord.contact_id == Contact.id, ConsentRecord.action == "granted",
        ConsentRecord.channel == campaign.channel,
        ConsentRecord.legal_basis.in_(LegalBasis.ALL),
        (ConsentRecord.list_id.is_(None)) | ConsentRecord.list_id.in_(
            select(campaign_list.c.list_id).where(campaign_list.c.campaign_id == campaign.id)),
    )


def address_column(campaign: Campaign):
    """Where a contact's address for this campaign is: the e-mail, or the phone field the
    SMS campaign picked (the main phone or a typed one, joined as ``ContactPhone``)."""
    if campaign.channel == Channel.EMAIL:
        return Contact.email
    if campaign.sms_phone_field == PhoneKind.MAIN:
        return Contact.phone
    return ContactPhone.number


def recipient_rows(campaign: Campaign, *extra, basis: bool | None = None) -> Select:
    """The campaign's recipients as rows (contact_id, address, organization_id, branch_id,
    person_id, then ``extra`` columns): each active contact confirmed on any chosen list,
    once, and for SMS each number once (its first contact). A branch implies its
    organization, so a row with a branch always carries that organization. Never an
    organization's own phone (seed 002): only contacts' fields are read. ``basis`` True:
    only contacts with a recorded basis; False: only those without; None: both."""
    address = address_column(campaign)
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
            *extra,
        )
        .select_from(Contact)
        .outerjoin(Branch, Branch.id == Contact.branch_id)
        .where(Contact.status == ContactStatus.ACTIVE, address.is_not(None), subscribed)
    )
    if address is ContactPhone.number:
        rows = rows.join(ContactPhone, and_(ContactPhone.contact_id == Contact.id,
                                            ContactPhone.kind == campaign.sms_phone_field))
    if campaign.branch_id is not None:  # the optional branch split
        rows = rows.where(Contact.branch_id == campaign.branch_id)
    if campaign.resend_to:  # a follow-up: only who did not click (open) the first one
        rows = rows.where(followup.audience_filter(campaign))
    if campaign.segment_id is not None:  # the optional saved segment, evaluated now
        rows = rows.where(_segment_clause(campaign))
    if basis is not None:
        rows = rows.where(has_basis(campaign) if basis else ~has_basis(campaign))
    if campaign.channel == Channel.EMAIL:  # addresses are unique per contact
        return rows
    every = rows.subquery("every")
    first = select(func.min(every.c.contact_id)).group_by(every.c.address)
    return select(*every.c).where(every.c.contact_id.in_(first))


def _segment_clause(campaign: Campaign):
    session = object_session(campaign)
    segment = segments.get_segment(session, campaign.segment_id)
    try:
        return segments.matches(session, segment.definition)
    except SegmentError as exc:  # e.g. a list it names was deleted since
        raise CampaignError(gettext("The segment “%(name)s” cannot be evaluated: %(reason)s",
                                    name=segment.name, reason=str(exc)), "segment_id") from None


def materialize(session, campaign: Campaign, require_basis: bool = False) -> int:
    """INSERT ... SELECT of the recipient rows, one delivery each; returns how many the
    campaign has. ``require_basis``: contacts without a recorded basis are left out."""
    r = recipient_rows(campaign, basis=True if require_basis else None).subquery()
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


def count_recipients(session, campaign_id: int) -> int:
    """How many deliveries starting the campaign now would create (the lists' confirmed
    active contacts and the extra recipients, once per address; the block list may still
    stop some). Shown when an editor confirms a send or a schedule."""
    campaign = get_campaign(session, campaign_id)
    rows = recipient_rows(campaign).subquery()
    listed = session.scalar(select(func.count()).select_from(rows))
    extras = {a for a in campaign.extra_recipients.splitlines() if a}
    if extras:
        present = set(session.scalars(select(rows.c.address).where(rows.c.address.in_(extras))))
        listed += sum(1 for extra in extras - present
                      if not suppression.is_suppressed(session, extra))
    return listed


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
    address = address_column(campaign)
    if address is ContactPhone.number:
        address = Contact.phone  # extra numbers carry whichever contact has it as main phone
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


# --- the recipients check ------------------------------------------------------------
@dataclass
class RecipientCheck:
    contact_id: int
    address: str
    organization: str | None
    branch: str | None
    person: str | None
    entry: BlocklistEntry | None  # the entry that blocks this recipient, if any
    #: SMS: why this number cannot get the SMS (not a valid mobile number); the start
    #: skips it with this reason
    skip_reason: str | None = None


@dataclass
class CheckResult:
    total: int
    blocked: int
    rows: list[RecipientCheck] = field(default_factory=list)
    page: int = 1
    pages: int = 1

    @property
    def reachable(self) -> int:
        return self.total - self.blocked


def check_recipients(session, campaign_id: int, *, blocked_only: bool = False,
                     page: int = 1, page_size: int = CHECK_PAGE_SIZE) -> CheckResult:
    """Resolve the campaign's recipients as starting it would, without creating deliveries,
    and say for each (one page of them) whether the block list stops it and by which entry."""
    campaign = get_campaign(session, campaign_id)
    phone = Contact.phone if campaign.channel == Channel.EMAIL else address_column(campaign)
    # a CTE referenced by every shape: both databases compute it once
    recipients = recipient_rows(campaign, Contact.email.label("email"), phone.label("phone")
                                ).cte("recipients")
    rows = select(
        recipients.c.contact_id.label("row_id"),
        *(getattr(recipients.c, f) for f in entries.FIELDS)
    ).subquery("rows")
    matched = matching.matches(session, rows, campaign.channel)
    if matched is None:  # no entry forbids this channel
        entry_id = cast(null(), Integer)
        base = select(recipients, entry_id.label("entry_id"))
    else:
        entry_id = matched.c.entry_id
        base = select(recipients, entry_id).outerjoin(
            matched, matched.c.row_id == recipients.c.contact_id)
    counted = base.subquery("checked")
    total, blocked = session.execute(
        select(func.count(), func.count(counted.c.entry_id)).select_from(counted)).one()
    result = CheckResult(total=total, blocked=blocked)
    if blocked_only:
        base = base.where(entry_id.is_not(None))
    shown = result.blocked if blocked_only else result.total
    result.pages = max(1, -(-shown // page_size))
    result.page = min(max(page, 1), result.pages)
    listed = session.execute(
        base.order_by(recipients.c.address)
        .limit(page_size).offset((result.page - 1) * page_size)
    ).all()
    result.rows = _describe(session, listed)
    if campaign.channel == Channel.SMS:
        for row in result.rows:
            try:
                numbers.sms_target(row.address)
            except numbers.InvalidPhone as exc:
                row.skip_reason = str(exc)
    return result


def _describe(session, listed) -> list[RecipientCheck]:
    def names(model, ids, *options):
        ids = {i for i in ids if i is not None}
        return {o.id: o for o in session.scalars(
            select(model).where(model.id.in_(ids)).options(*options))}

    orgs = names(Organization, (r.organization_id for r in listed))
    branches = names(Branch, (r.branch_id for r in listed))
    persons = names(Person, (r.person_id for r in listed))
    blocking = names(BlocklistEntry, (r.entry_id for r in listed), *entries.entry_loads())
    return [
        RecipientCheck(
            contact_id=r.contact_id, address=r.address,
            organization=orgs[r.organization_id].name if r.organization_id else None,
            branch=branches[r.branch_id].name if r.branch_id else None,
            person=persons[r.person_id].name if r.person_id else None,
            entry=blocking.get(r.entry_id),
        )
        for r in listed
    ]

