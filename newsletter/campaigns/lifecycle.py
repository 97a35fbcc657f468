"""A campaign's life: start (recipients materialized, the block list applied), schedule,
pause, resume, cancel, resend to failed, and finish (start and finish are webhook
events)."""

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import object_session

from newsletter.blocklist import matching
from newsletter.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Delivery,
    DeliveryState,
    RecurringSeries,
    SequenceStep,
    utcnow,
)
from newsletter.sms import quota
from newsletter.sms import text as sms_text
from newsletter.webhooks import events, payloads
from newsletter.webhooks import outbox as webhooks

from . import abtest, localtime, recipients
from .drafts import CampaignError, get_campaign, status_name


def _check_sendable(campaign: Campaign) -> None:
    if object_session(campaign).scalar(select(RecurringSeries.id).where(
            RecurringSeries.template_campaign_id == campaign.id)) is not None:
        raise CampaignError(gettext("This draft is the template of a recurring series: its runs "
                                    "are sent, not the template itself."))
    if object_session(campaign).scalar(select(SequenceStep.id).where(
            SequenceStep.template_campaign_id == campaign.id)) is not None:
        raise CampaignError(gettext("This draft is a step of a welcome or drip sequence: it goes "
                                    "to each contact who reaches the step, not as a campaign."))
    if not campaign.lists and not campaign.extra_recipients:
        raise CampaignError(gettext("Choose at least one list (or extra recipients) before "
                                    "sending."))
    if campaign.channel == Channel.SMS:
        if not campaign.sms_gateway:
            raise CampaignError(gettext("Choose the SMS gateway before sending."))
        try:
            sms_text.check(campaign.sms_text, transliterated=campaign.sms_transliterate,
                           opt_out=campaign.sms_opt_out)
        except sms_text.TextTooLong as exc:
            raise CampaignError(str(exc)) from None
    elif not campaign.subject or not campaign.body_text.strip():
        raise CampaignError(gettext("A campaign needs a subject and a body before it is sent."))


def settle_quota(session, campaign: Campaign) -> None:
    """SMS: the quota follows the deliveries (sms.quota.settle); a shortfall is refused."""
    if campaign.channel != Channel.SMS:
        return
    try:
        quota.settle(session, campaign.id)
    except quota.QuotaExceeded as exc:
        raise CampaignError(str(exc)) from None


def start_campaign(session, campaign_id: int, require_basis: bool = False) -> int:
    """Materialize one delivery per recipient and mark the campaign running.
    Returns the number of deliveries created. The caller commits, then enqueues sending.
    ``require_basis`` leaves out contacts without a recorded consent basis (the checked
    start in ``newsletter.compliance`` asks for it)."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise CampaignError(gettext("The campaign is %(status)s; only a draft can be sent.",
                                    status=status_name(campaign.status)))
    _check_sendable(campaign)
    created = recipients.materialize(session, campaign, require_basis)
    if created == 0:
        raise CampaignError(gettext("The chosen lists have no confirmed subscribers to send to."))
    matching.mark_blocked(session, campaign.id)
    localtime.assign(session, campaign)  # each recipient's hour, when the campaign asks
    abtest.split(session, campaign)  # the sample's variants; the rest waits for the winner
    campaign.status = CampaignStatus.RUNNING
    campaign.started_at = utcnow()
    session.flush()
    webhooks.emit(session, events.CAMPAIGN_STARTED,
                  payloads.campaign(campaign, recipients=created))
    return created


def ensure_due(session, campaign_id: int) -> None:
    """For the job (or the reaper) of a schedule: only a campaign that is still scheduled
    and due may start. A campaign unscheduled since, or scheduled again for a later time,
    is left alone when the job of its earlier schedule comes (CampaignError)."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status != CampaignStatus.SCHEDULED or campaign.send_at is None \
            or campaign.send_at > utcnow():
        raise CampaignError(gettext("The campaign is not scheduled for now."))


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
    if result.rowcount != 1:
        return False
    if webhooks.subscribed(session, events.CAMPAIGN_FINISHED):
        counts = dict(session.execute(
            select(Delivery.state, func.count()).where(Delivery.campaign_id == campaign_id)
            .group_by(Delivery.state)).all())
        campaign = session.get(Campaign, campaign_id)
        session.refresh(campaign)
        webhooks.emit(session, events.CAMPAIGN_FINISHED,
                      payloads.campaign(campaign, counts=counts))
    return True


def schedule_campaign(session, campaign_id: int, send_at) -> Campaign:
    """Send later (a date and time, or now plus a delay); recipients are resolved when the
    time comes, so late signups are included."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(gettext("The campaign is %(status)s; only a draft can be scheduled.",
                                    status=status_name(campaign.status)))
    if send_at <= utcnow():
        raise CampaignError(gettext("Choose a time in the future."))
    _check_sendable(campaign)
    campaign.status, campaign.send_at = CampaignStatus.SCHEDULED, send_at
    session.flush()
    return campaign


def unschedule_campaign(session, campaign_id: int) -> Campaign:
    """Back to a draft: it can be edited, sent or scheduled again (its pending job finds it
    no longer due and does nothing)."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status != CampaignStatus.SCHEDULED:
        raise CampaignError(gettext("The campaign is %(status)s; only a scheduled campaign can "
                                    "be unscheduled.", status=status_name(campaign.status)))
    campaign.status, campaign.send_at = CampaignStatus.DRAFT, None
    session.flush()
    return campaign


def set_paused(session, campaign_id: int, paused: bool) -> Campaign:
    """Pause acts between messages: in-flight claims go back to the queue."""
    campaign = get_campaign(session, campaign_id)
    want_from, want_to = ((CampaignStatus.RUNNING, CampaignStatus.PAUSED) if paused
                          else (CampaignStatus.PAUSED, CampaignStatus.RUNNING))
    if campaign.status != want_from:
        raise CampaignError(
            gettext("The campaign is %(status)s; it cannot be paused.",
                    status=status_name(campaign.status)) if paused else
            gettext("The campaign is %(status)s; it cannot be resumed.",
                    status=status_name(campaign.status)))
    campaign.status = want_to
    session.flush()
    return campaign


def cancel_campaign(session, campaign_id: int) -> int:
    """Stop for good: deliveries not yet sent are cancelled. Returns how many."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.PAUSED,
                               CampaignStatus.SCHEDULED):
        raise CampaignError(gettext("The campaign is %(status)s; there is nothing to cancel.",
                                    status=status_name(campaign.status)))
    campaign.status, campaign.finished_at = CampaignStatus.CANCELLED, utcnow()
    result = session.execute(
        update(Delivery)
        .where(Delivery.campaign_id == campaign_id,
               Delivery.state.in_((DeliveryState.QUEUED, DeliveryState.DEFERRED)))
        .values(state=DeliveryState.CANCELLED)
        .execution_options(synchronize_session=False))
    session.flush()
    settle_quota(session, campaign)
    return result.rowcount


def resend_failed(session, campaign_id: int) -> int:
    """After a problem is fixed: failed and deferred deliveries go back to the queue."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.FINISHED):
        raise CampaignError(gettext("The campaign is %(status)s; resume or start it first.",
                                    status=status_name(campaign.status)))
    count = session.execute(
        update(Delivery)
        .where(Delivery.campaign_id == campaign_id,
               Delivery.state.in_((DeliveryState.FAILED, DeliveryState.DEFERRED)))
        .values(state=DeliveryState.QUEUED, attempts=0, next_attempt_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if count:
        campaign.status, campaign.finished_at = CampaignStatus.RUNNING, None
    session.flush()
    settle_quota(session, campaign)
    return count


def due_scheduled(session) -> list[int]:
    """Scheduled campaigns whose time has come (the reaper starts them if their job was
    lost)."""
    return list(session.scalars(select(Campaign.id).where(
        Campaign.status == CampaignStatus.SCHEDULED, Campaign.send_at <= utcnow())))


