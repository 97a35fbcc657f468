"""Welcome and drip sequences: their settings (a list, a trigger), their steps (a delay and
a message composed like any campaign: a draft that is never sent itself), activation and
pause, and per-step statistics. Enrolment by the triggers is in ``enrolment``, the
sending of due steps in ``drip``.

Editing a step (its message or its delay) affects only contacts who have not reached it:
a step's message is read when its turn comes, and its delay is counted from the previous
step (or the enrolment) whenever the due steps are looked for."""

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import distinct, func, select

from newsletter.content import saved_templates
from newsletter.content.blocks import TEMPLATES, blocks_html
from newsletter.content.rendering import prepare
from newsletter.errors import DomainError
from newsletter.models import (
    Campaign,
    Click,
    Delivery,
    DeliveryState,
    Enrolment,
    EnrolmentState,
    Link,
    MailingList,
    Segment,
    Sequence,
    SequenceStatus,
    SequenceStep,
    SequenceTrigger,
    StepCampaign,
)

from . import enrolment

#: the longest delay a step may have (a year)
MAX_DELAY_MINUTES = 366 * 24 * 60
UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60}
SENT_STATES = (DeliveryState.SENT, DeliveryState.DELIVERED, DeliveryState.BOUNCED)


class SequenceError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def get_sequence(session, sequence_id: int) -> Sequence:
    sequence = session.get(Sequence, sequence_id)
    if sequence is None:
        raise SequenceError(gettext("That sequence does not exist."))
    return sequence


def get_step(session, sequence_id: int, step_id: int) -> SequenceStep:
    step = session.get(SequenceStep, step_id)
    if step is None or step.sequence_id != sequence_id:
        raise SequenceError(gettext("That step does not exist."))
    return step


def list_sequences(session) -> list[Sequence]:
    return list(session.scalars(select(Sequence).order_by(Sequence.name)))


def step_of_template(session, campaign_id: int) -> SequenceStep | None:
    """The step whose message this draft is (the campaign page says so)."""
    return session.scalars(select(SequenceStep).where(
        SequenceStep.template_campaign_id == campaign_id)).first()


def save_sequence(session, sequence_id: int | None, *, name: str, list_id: int | None,
                  trigger: str, segment_id: int | None = None, date_attribute: str = "",
                  created_by_id: int | None = None) -> Sequence:
    """Create a sequence (a draft: nobody is enrolled until it is activated) or change
    one. Its list and trigger are fixed once it has been activated."""
    name = (name or "").strip()
    if not name:
        raise SequenceError(gettext("Give the sequence a name."), "name")
    if len(name) > 200:
        raise SequenceError(gettext("A name has at most 200 characters."), "name")
    sequence = get_sequence(session, sequence_id) if sequence_id else \
        Sequence(created_by_id=created_by_id, status=SequenceStatus.DRAFT)
    if sequence.activated_at is not None:
        same = (list_id, trigger, segment_id, date_attribute.strip()) == (
            sequence.list_id, sequence.trigger, sequence.segment_id, sequence.date_attribute)
        if not same:
            raise SequenceError(gettext("The list and the trigger cannot change once the "
                                        "sequence has been activated (its contacts were "
                                        "enrolled by them); make a new sequence instead."),
                                "trigger")
    else:
        _set_trigger(session, sequence, list_id, trigger, segment_id, date_attribute)
    sequence.name = name
    session.add(sequence)  # a new one only now that it is valid
    session.flush()
    return sequence


def _set_trigger(session, sequence: Sequence, list_id, trigger, segment_id,
                 date_attribute: str) -> None:
    if list_id is None or session.get(MailingList, list_id) is None:
        raise SequenceError(gettext("Choose the list whose subscribers receive the sequence."),
                            "list_id")
    if trigger not in SequenceTrigger.ALL:
        raise SequenceError(gettext("Choose what starts the sequence."), "trigger")
    attribute = (date_attribute or "").strip()
    if trigger == SequenceTrigger.SEGMENT and (
            segment_id is None or session.get(Segment, segment_id) is None):
        raise SequenceError(gettext("Choose the segment whose new members start the "
                                    "sequence."), "segment_id")
    if trigger == SequenceTrigger.DATE and (
            not attribute or len(attribute) > 64 or not attribute.replace("_", "").isalnum()):
        raise SequenceError(gettext("Name the contact attribute holding the date (letters, "
                                    "digits and _, e.g. birthday)."), "date_attribute")
    sequence.list_id, sequence.trigger = list_id, trigger
    sequence.segment_id = segment_id if trigger == SequenceTrigger.SEGMENT else None
    sequence.date_attribute = attribute if trigger == SequenceTrigger.DATE else ""


def set_active(session, sequence_id: int, active: bool, now) -> Sequence:
    """Activate (the first time: from now on, confirmations and new segment members are
    enrolled) or pause (nobody is enrolled and nothing is sent; resuming catches up on
    confirmations and segment joins, and sends the steps that fell due meanwhile)."""
    sequence = get_sequence(session, sequence_id)
    if not active:
        if sequence.status != SequenceStatus.ACTIVE:
            raise SequenceError(gettext("Only an active sequence can be paused."))
        sequence.status = SequenceStatus.PAUSED
        session.flush()
        return sequence
    if sequence.status == SequenceStatus.ACTIVE:
        raise SequenceError(gettext("The sequence is already active."))
    if not sequence.steps:
        raise SequenceError(gettext("Add at least one step before activating the sequence."))
    for step in sequence.steps:
        if not step.template.subject.strip() or not step.template.body_text.strip():
            raise SequenceError(gettext("Step %(num)d has no subject or no content yet: "
                                        "compose its message first.", num=step.position))
    if sequence.trigger == SequenceTrigger.SEGMENT and sequence.segment_id is None:
        raise SequenceError(gettext("The sequence's segment was deleted; choose another "
                                    "trigger in a new sequence."))
    sequence.status = SequenceStatus.ACTIVE
    if sequence.activated_at is None:
        sequence.activated_at = now
        if sequence.trigger == SequenceTrigger.SEGMENT:
            enrolment.record_baseline(session, sequence, now)
    session.flush()
    return sequence


def delay_minutes(amount, unit: str) -> int:
    if unit not in UNITS:
        raise SequenceError(gettext("Choose minutes, hours or days."), "delay_unit")
    try:
        minutes = int(amount) * UNITS[unit]
    except (TypeError, ValueError):
        raise SequenceError(gettext("The delay is a whole number."), "delay") from None
    if minutes < 0 or minutes > MAX_DELAY_MINUTES:
        raise SequenceError(gettext("The delay is between 0 and 366 days."), "delay")
    return minutes


def add_step(session, sequence_id: int, *, delay: int, subject: str, template: str = "blank",
             created_by_id: int | None = None) -> SequenceStep:
    """A new last step; its message is a draft started from a starter or saved template
    (edited afterwards in the composer). ``delay`` in minutes."""
    sequence = get_sequence(session, sequence_id)
    subject = (subject or "").strip()
    if not subject or len(subject) > 300:
        raise SequenceError(gettext("Give the message a subject (at most 300 characters)."),
                            "subject")
    blocks = saved_templates.blocks_for(session, template or "blank")
    if blocks is None:
        raise SequenceError(gettext("Choose a template."), "template")
    _check_delay(delay)
    position = (max((s.position for s in sequence.steps), default=0)) + 1
    content = prepare(blocks_html(blocks), None, subject) if blocks else None
    draft = Campaign(name=f"{sequence.name} · step {position}"[:200], subject=subject,
                     blocks=blocks, template=template if template in TEMPLATES else "blank",
                     body_html=content.body_html if content else "",
                     body_text=content.body_text if content else "",
                     created_by_id=created_by_id)
    draft.lists = [sequence.mailing_list]
    session.add(draft)
    session.flush()
    step = SequenceStep(sequence=sequence, position=position, delay_minutes=delay,
                        template_campaign_id=draft.id)
    session.add(step)
    session.flush()
    return step


def _check_delay(delay: int) -> None:
    if not 0 <= delay <= MAX_DELAY_MINUTES:
        raise SequenceError(gettext("The delay is between 0 and 366 days."), "delay")


def update_step(session, sequence_id: int, step_id: int, *, delay: int) -> SequenceStep:
    """A new delay: it applies to every contact who has not reached the step yet."""
    step = get_step(session, sequence_id, step_id)
    _check_delay(delay)
    step.delay_minutes = delay
    session.flush()
    return step


def delete_step(session, sequence_id: int, step_id: int) -> None:
    """Only a step nobody has received (its statistics would go with it); contacts waiting
    for it go on to the next step."""
    step = get_step(session, sequence_id, step_id)
    if session.scalar(select(func.count()).select_from(Delivery).join(
            StepCampaign, StepCampaign.campaign_id == Delivery.campaign_id).where(
            StepCampaign.step_id == step.id)):
        raise SequenceError(gettext("This step has been sent to contacts; it stays so its "
                                    "statistics do. Change its message or delay instead."))
    template = step.template
    session.delete(step)
    session.delete(template)
    session.flush()


@dataclass
class StepStats:
    step: SequenceStep
    waiting: int  # enrolled contacts whose next step this is
    sent: int
    opened: int
    unique_clicks: int
    clicks: int
    unsubscribed: int  # used the unsubscribe link of this step's message

    @property
    def click_rate(self) -> float:
        return 100.0 * self.unique_clicks / self.sent if self.sent else 0.0


def step_stats(session, sequence: Sequence) -> list[StepStats]:
    """Each step's figures, over the campaigns that carried it (one per yearly cycle)."""
    result, previous = [], 0
    for step in sequence.steps:
        carriers = select(StepCampaign.campaign_id).where(StepCampaign.step_id == step.id)
        deliveries = select(func.count()).select_from(Delivery).where(
            Delivery.campaign_id.in_(carriers))
        waiting = session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.sequence_id == sequence.id, Enrolment.state == EnrolmentState.ACTIVE,
            Enrolment.next_position > previous, Enrolment.next_position <= step.position))
        clicks = session.execute(
            select(func.count(Click.id), func.count(distinct(Click.delivery_id)))
            .join(Link, Link.id == Click.link_id).where(Link.campaign_id.in_(carriers))).one()
        result.append(StepStats(
            step=step, waiting=waiting,
            sent=session.scalar(deliveries.where(Delivery.state.in_(SENT_STATES))),
            opened=session.scalar(deliveries.where(Delivery.opened_at.is_not(None))),
            clicks=clicks[0], unique_clicks=clicks[1],
            unsubscribed=session.scalar(deliveries.where(Delivery.unsubscribed_at.is_not(None)))))
        previous = step.position
    return result


def enrolment_counts(session, sequence_id: int) -> dict[str, int]:
    counts = dict.fromkeys(EnrolmentState.ALL, 0)
    counts.update(dict(session.execute(
        select(Enrolment.state, func.count()).where(Enrolment.sequence_id == sequence_id)
        .group_by(Enrolment.state)).all()))
    return counts
