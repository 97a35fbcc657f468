"""Running a sequence: enrol, stop the leavers, then hand every step that fell due to the
sending engine. A due step is claimed by moving the enrolment past it (one conditional
UPDATE, so two workers or a run repeated after a crash claim it once) and, in the same
transaction, becomes a queued delivery of the campaign that carries the step; the engine
sends it with the sender's rate limit, the journal, DKIM, tracked links and the footer's
unsubscribe link, and counts it in that campaign's statistics. The step's message is
copied from its draft at that moment, so an edit reaches only contacts who had not
reached the step."""

import copy
from datetime import datetime, timedelta

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from newsletter.campaigns.drafts import COPIED_FIELDS
from newsletter.compliance import review
from newsletter.models import (
    Branch,
    Campaign,
    CampaignAttachment,
    CampaignStatus,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryState,
    Enrolment,
    EnrolmentState,
    Sequence,
    SequenceStatus,
    SequenceStep,
    StepCampaign,
)
from newsletter.platform import rowclaim

from . import enrolment

#: enrolments claimed per statement
BATCH = 1000
#: what a step's carrying campaign does not take from the step's draft
NOT_SYNCED = {"extra_recipients", "branch_id", "public_archive"}


def active_sequences(session) -> list[int]:
    return list(session.scalars(select(Sequence.id).where(
        Sequence.status == SequenceStatus.ACTIVE).order_by(Sequence.id)))


def run(session, sequence_id: int, now: datetime) -> list[int]:
    """One pass over an active sequence at ``now`` (naive UTC; tests pass their own
    clock). Returns the campaigns that got new deliveries; the caller commits, then has
    them sent."""
    sequence = session.get(Sequence, sequence_id)
    if sequence is None or sequence.status != SequenceStatus.ACTIVE:
        return []
    enrolment.enrol_new(session, sequence, now)
    enrolment.stop_leavers(session, sequence, now)
    touched: list[int] = []
    previous = 0
    for step in sequence.steps:
        if held_for_review(session, sequence, step):  # its contacts wait, the others go on
            previous = step.position
            continue
        for cycle in _waiting_cycles(session, sequence.id, previous, step.position):
            campaign_id = send_due(session, step, previous, cycle, now)
            if campaign_id is not None and campaign_id not in touched:
                touched.append(campaign_id)
        previous = step.position
    session.execute(
        update(Enrolment)
        .where(Enrolment.sequence_id == sequence.id, Enrolment.state == EnrolmentState.ACTIVE,
               Enrolment.next_position > previous)
        .values(state=EnrolmentState.COMPLETED, finished_at=now)
        .execution_options(synchronize_session=False))
    session.flush()
    return touched


def held_for_review(session, sequence: Sequence, step: SequenceStep) -> bool:
    """A step's message that matches a review rule and is not approved exactly as it is
    waits for a reviewer like any campaign (its draft is held: the review queue shows it,
    and an approval or a rejection goes to its editor); until then nobody gets it."""
    if review.cleared(session, step.template):
        return False
    review.hold_if_flagged(session, step.template_campaign_id, f"sequence “{sequence.name}”",
                           f"step {step.position}: ")
    return True


def _waiting(sequence_id: int, previous: int, position: int):
    return (Enrolment.sequence_id == sequence_id, Enrolment.state == EnrolmentState.ACTIVE,
            Enrolment.next_position > previous, Enrolment.next_position <= position)


def _waiting_cycles(session, sequence_id: int, previous: int, position: int) -> list[int]:
    return list(session.scalars(select(Enrolment.cycle).distinct().where(
        *_waiting(sequence_id, previous, position))))


def send_due(session, step: SequenceStep, previous: int, cycle: int,
             now: datetime) -> int | None:
    """Claim the enrolments for which ``step`` is due and queue one delivery each; the
    id of the carrying campaign, or None when none was due."""
    due = (*_waiting(step.sequence_id, previous, step.position), Enrolment.cycle == cycle,
           Enrolment.waiting_since <= now - timedelta(minutes=step.delay_minutes))
    campaign = None
    while True:
        contact_ids = rowclaim.claim_rows(
            session, Enrolment, due, limit=BATCH,
            values={"next_position": step.position + 1, "waiting_since": now},
            returning=Enrolment.contact_id)
        if not contact_ids:
            break
        campaign = campaign or carrier(session, step, cycle, now)
        _queue(session, campaign.id, contact_ids, now)
        if len(contact_ids) < BATCH:
            break
    if campaign is None:
        return None
    if campaign.status == CampaignStatus.FINISHED:  # its earlier messages are all out
        campaign.status, campaign.finished_at = CampaignStatus.RUNNING, None
    session.flush()
    return campaign.id


def _queue(session, campaign_id: int, contact_ids: list[int], now: datetime) -> None:
    """One queued delivery per contact (its address now; the engine re-checks the list,
    the suppressions and the block list when it claims it)."""
    rows = (select(literal(campaign_id), Contact.id, Contact.email,
                   func.coalesce(Contact.organization_id, Branch.organization_id),
                   Contact.branch_id, Contact.person_id, literal(DeliveryState.QUEUED),
                   literal(now), literal(0))
            .select_from(Contact).outerjoin(Branch, Branch.id == Contact.branch_id)
            .where(Contact.id.in_(contact_ids), Contact.email.is_not(None),
                   Contact.status == ContactStatus.ACTIVE))
    columns = ["campaign_id", "contact_id", "address", "organization_id", "branch_id",
               "person_id", "state", "created_at", "attempts"]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(Delivery).from_select(columns, rows)
                    .on_conflict_do_nothing())


def carrier(session, step: SequenceStep, cycle: int, now: datetime) -> Campaign:
    """The running campaign that carries the step in this cycle, its content brought up
    to date with the step's draft (made on the step's first send)."""
    found = session.scalar(select(StepCampaign).where(StepCampaign.step_id == step.id,
                                                      StepCampaign.cycle == cycle))
    if found is None:
        campaign = Campaign(status=CampaignStatus.RUNNING, started_at=now,
                            name=step.template.name,
                            created_by_id=step.template.created_by_id)
        try:
            with session.begin_nested():
                session.add(campaign)
                session.flush()
                session.add(StepCampaign(step_id=step.id, cycle=cycle,
                                         campaign_id=campaign.id))
                session.flush()
        except IntegrityError:  # another worker made it at the same moment
            found = session.scalar(select(StepCampaign).where(
                StepCampaign.step_id == step.id, StepCampaign.cycle == cycle))
            if found is None:
                raise
    campaign = found.campaign if found is not None else campaign
    sync(step, campaign, cycle)
    return campaign


def sync(step: SequenceStep, campaign: Campaign, cycle: int) -> None:
    """Take the draft's content and sender; the audience is the sequence's list."""
    template, sequence = step.template, step.sequence
    for name in COPIED_FIELDS:
        if name not in NOT_SYNCED:
            value = getattr(template, name)
            if getattr(campaign, name) != value:
                setattr(campaign, name, copy.deepcopy(value))
    suffix = f" ({cycle})" if cycle else ""
    campaign.name = f"{sequence.name} · step {step.position}{suffix}"[:200]
    if [m.id for m in campaign.lists] != [sequence.list_id]:
        campaign.lists = [sequence.mailing_list]
    wanted = [(a.filename, a.size) for a in template.attachments]
    if [(a.filename, a.size) for a in campaign.attachments] != wanted:
        campaign.attachments = [
            CampaignAttachment(filename=a.filename, content_type=a.content_type,
                               size=a.size, data=a.data) for a in template.attachments]


def carriers_of(session, sequence_id: int) -> set[int]:
    return set(session.scalars(select(StepCampaign.campaign_id).join(
        SequenceStep, SequenceStep.id == StepCampaign.step_id).where(
        SequenceStep.sequence_id == sequence_id)))


