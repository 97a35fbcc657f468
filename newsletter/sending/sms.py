"""SMS campaigns through the same pipeline as e-mail: at start each recipient's text is
merged (the sandbox, the contact's and its organization's data), checked against the part
cap and its number against the numbering plan, and the parts of every sendable message are
reserved from the quota in the same transaction (refused whole when the quota cannot cover
them). The engine sends with ``SmsMessageFactory``; outcomes, retries, the rate limit per
gateway and the journal are the engine's. A recipient whose number cannot take SMS or
whose merged text is over the cap is skipped with the reason.

Start walks the queued deliveries in batches by id (keyset) rather than one set-based
statement: a merged text's parts can only be known by merging it."""

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select, update

from newsletter.campaigns import lifecycle
from newsletter.campaigns.drafts import CampaignError, get_campaign
from newsletter.channels.base import OutgoingMessage, PermanentFailure
from newsletter.content import sandbox
from newsletter.models import (
    Campaign,
    Channel,
    Contact,
    Delivery,
    DeliveryState,
    Organization,
)
from newsletter.platform import limits
from newsletter.sms import numbers, quota
from newsletter.sms import text as sms_text
from newsletter.sms.parts import split
from newsletter.texts import N_, stored

from .messages import Recipient

BATCH = 1000


class RecipientSkipped(PermanentFailure):
    """This recipient cannot get the SMS as it is: the delivery is skipped with the reason."""


@dataclass(frozen=True)
class Prepared:
    messages: int  # deliveries that will be sent
    parts: int  # their parts together
    skipped: int


class SmsText:
    """A campaign's text, compiled once: ``message`` merges it for one recipient and returns
    the text as sent, or raises RecipientSkipped with the reason."""

    def __init__(self, campaign: Campaign):
        self.template = sandbox.compile_template(campaign.sms_text, html=False)
        self.transliterated = campaign.sms_transliterate
        self.opt_out = campaign.sms_opt_out

    def message(self, data: dict) -> str:
        try:
            merged = sandbox.render(self.template, data)
        except sandbox.RenderError as exc:
            raise RecipientSkipped(stored(N_("merge tags: %(problem)s"), problem=exc)) from None
        text = sms_text.compose(merged, transliterated=self.transliterated, opt_out=self.opt_out)
        parts = split(text)
        if not parts.count:
            raise RecipientSkipped(stored(N_("the merged text is empty")))
        if not parts.within_cap:
            raise RecipientSkipped(stored(N_("the merged text needs %(num)d parts (at most "
                                             "%(max)d)"), num=parts.count,
                                          max=sms_text.MAX_PARTS))
        return text


def merge_data(recipient: Recipient) -> dict:
    return {**recipient.merge_data(), "email": None, "phone": recipient.address}


def check_number(address: str) -> str:
    try:
        return numbers.sms_target(address)
    except numbers.InvalidPhone as exc:
        raise RecipientSkipped(str(exc)) from None


class SmsMessageFactory:
    """The engine's message factory for SMS: sender and text per recipient."""

    def __init__(self, campaign: Campaign):
        self.sender = campaign.sms_sender
        self.text = SmsText(campaign)

    def return_path(self, recipient: Recipient) -> str:
        return self.sender

    def build(self, recipient: Recipient, return_path: str) -> OutgoingMessage:
        """The number was checked when the delivery was prepared at start."""
        text = self.text.message(merge_data(recipient))
        return OutgoingMessage(sender=return_path, recipient=recipient.address,
                               data=text.encode(), reference=recipient.delivery_id)


def _recipients(session, campaign_id: int, after: int) -> list[Recipient]:
    rows = session.execute(
        select(Delivery.id, Delivery.address, Delivery.contact_id, Contact.first_name,
               Contact.last_name, Contact.language, Contact.attributes, Organization.name)
        .outerjoin(Contact, Contact.id == Delivery.contact_id)
        .outerjoin(Organization, Organization.id == Contact.organization_id)
        .where(Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.QUEUED,
               Delivery.id > after)
        .order_by(Delivery.id).limit(BATCH)).all()
    return [Recipient(delivery_id=did, campaign_id=campaign_id, address=address,
                      contact_id=cid, first_name=first, last_name=last, language=lang,
                      attributes=attrs, organization=org)
            for did, address, cid, first, last, lang, attrs, org in rows]


def prepare(session, campaign: Campaign) -> Prepared:
    """Parts per queued delivery (``sms_parts``), or skipped with the reason."""
    text = SmsText(campaign)
    messages = parts = skipped = 0
    after = 0
    while batch := _recipients(session, campaign.id, after):
        after = batch[-1].delivery_id
        counted: dict[int, int] = {}
        for recipient in batch:
            try:
                check_number(recipient.address)
                counted[recipient.delivery_id] = split(text.message(merge_data(recipient))).count
            except RecipientSkipped as exc:
                skipped += 1
                session.execute(update(Delivery).where(Delivery.id == recipient.delivery_id)
                                .values(state=DeliveryState.SKIPPED, error=str(exc)[:300])
                                .execution_options(synchronize_session=False))
        for count in set(counted.values()):
            ids = [i for i, c in counted.items() if c == count]
            session.execute(update(Delivery).where(Delivery.id.in_(ids))
                            .values(sms_parts=count)
                            .execution_options(synchronize_session=False))
        messages += len(counted)
        parts += sum(counted.values())
    return Prepared(messages, parts, skipped)


def start_campaign(session, campaign_id: int, actor: str = "",
                   require_basis: bool = False) -> int:
    """Start any campaign (lifecycle.start_campaign); an SMS campaign's messages are then
    prepared and their parts reserved. Returns the deliveries created. The caller commits
    (or rolls back on CampaignError: nothing is reserved then)."""
    created = lifecycle.start_campaign(session, campaign_id, require_basis=require_basis)
    campaign = get_campaign(session, campaign_id)
    if campaign.channel != Channel.SMS:
        return created
    try:
        prepared = prepare(session, campaign)
    except sandbox.RenderError as exc:
        raise CampaignError(gettext("The text's %(error)s", error=exc)) from None
    if prepared.messages == 0:
        raise CampaignError(gettext("None of the recipients can get this SMS (see the "
                                    "recipients check for the reasons)."))
    check_monthly_parts(session, prepared.parts)
    try:
        quota.reserve(session, campaign_id, prepared.parts, actor=actor)
    except quota.QuotaExceeded as exc:
        raise CampaignError(str(exc)) from None
    return created


def check_monthly_parts(session, parts: int) -> None:
    """The plan's SMS parts per month (platform.limits): refused with the counts when this
    campaign's ``parts`` (already among this month's deliveries) pass the limit."""
    cap = limits.limit(session, "sms_parts_month")
    if cap is None:
        return
    before = limits.used(session, "sms_parts_month") - parts
    if before + parts > cap:
        raise CampaignError(gettext(
            "The plan allows %(cap)d SMS parts a month; %(used)d were used this month, so "
            "%(left)d are left and this campaign needs %(parts)d parts.", cap=cap,
            used=before, left=max(0, cap - before), parts=parts))


def settle(session, campaign_id: int) -> None:
    """After a run of an SMS campaign that finished or was cancelled: the quota follows."""
    campaign = session.get(Campaign, campaign_id)
    if campaign.channel == Channel.SMS and campaign.status in (
            lifecycle.CampaignStatus.FINISHED, lifecycle.CampaignStatus.CANCELLED):
        quota.settle(session, campaign_id)
        session.commit()


@dataclass(frozen=True)
class Preview:
    """The confirmation before sending (seed 002): messages, parts, quota before and after."""

    recipients: int
    blocked: int
    skipped: int
    messages: int
    parts: int
    available: int
    reasons: list[tuple[str, str]]  # (number, why skipped), the first few
    plan_left: int | None = None  # the plan's SMS parts left this month (None: unlimited)

    @property
    def available_after(self) -> int:
        return self.available - self.parts

    @property
    def within_plan(self) -> bool:
        return self.plan_left is None or self.parts <= self.plan_left

    @property
    def covered(self) -> bool:
        return self.parts <= self.available and self.within_plan


def preview(session, campaign_id: int, shown: int = 20) -> Preview:
    """What starting the campaign now would send: the start itself, run inside a savepoint
    that is rolled back (so the figures are exactly the start's), plus the quota."""
    savepoint = session.begin_nested()
    try:
        created = lifecycle.start_campaign(session, campaign_id)
        try:
            prepared = prepare(session, get_campaign(session, campaign_id))
        except sandbox.RenderError as exc:
            raise CampaignError(gettext("The text's %(error)s", error=exc)) from None
        blocked = session.scalar(select(func.count()).where(
            Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.BLOCKED))
        reasons = [tuple(r) for r in session.execute(
            select(Delivery.address, Delivery.error)
            .where(Delivery.campaign_id == campaign_id,
                   Delivery.state == DeliveryState.SKIPPED)
            .order_by(Delivery.address).limit(shown))]
    finally:
        savepoint.rollback()
    return Preview(created, blocked, prepared.skipped, prepared.messages, prepared.parts,
                   quota.balance(session).available, reasons,
                   limits.remaining(session, "sms_parts_month"))
