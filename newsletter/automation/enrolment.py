"""Who enters a sequence, set-based: confirmations of its list since it was activated,
new members of its segment (the members at activation are recorded as a baseline and
never enrolled), contacts whose date attribute's month and day is today (once a year);
and who leaves it: a contact no longer confirmed on the list (or who left and came back),
or no longer active. Each insert is one INSERT ... SELECT that skips contacts already
enrolled (a unique constraint, so two workers enrol a contact once)."""

from datetime import datetime

from sqlalchemy import and_, exists, literal, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from newsletter.models import (
    Channel,
    Contact,
    ContactStatus,
    Enrolment,
    EnrolmentState,
    Sequence,
    SequenceTrigger,
    Subscription,
    SubscriptionStatus,
)
from newsletter.segments import segments
from newsletter.segments.conditions import SegmentError

COLUMNS = ["sequence_id", "contact_id", "cycle", "state", "next_position", "enrolled_at",
           "waiting_since", "reason"]


def _insert(session, rows) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(Enrolment).from_select(COLUMNS, rows)
                    .on_conflict_do_nothing())


def _not_enrolled(sequence: Sequence, cycle: int):
    return ~exists().where(Enrolment.sequence_id == sequence.id,
                           Enrolment.contact_id == Contact.id, Enrolment.cycle == cycle)


def _confirmed(sequence: Sequence):
    return exists().where(Subscription.contact_id == Contact.id,
                          Subscription.list_id == sequence.list_id,
                          Subscription.channel == Channel.EMAIL,
                          Subscription.status == SubscriptionStatus.CONFIRMED)


def _row(sequence: Sequence, cycle: int, state: str, now: datetime, since):
    return (literal(sequence.id), Contact.id, literal(cycle), literal(state), literal(1),
            literal(now), since, literal(""))


def _segment_clause(session, sequence: Sequence, now: datetime):
    if sequence.segment is None:
        return None
    try:
        return segments.matches(session, sequence.segment.definition, now)
    except SegmentError:  # e.g. a list it names was deleted: nobody joins meanwhile
        return None


def record_baseline(session, sequence: Sequence, now: datetime) -> None:
    """The segment's members at activation: they did not join after it, so they are
    never enrolled (a row in state baseline keeps them out)."""
    clause = _segment_clause(session, sequence, now)
    if clause is not None:
        _insert(session, select(*_row(sequence, 0, EnrolmentState.BASELINE, now,
                                      literal(now))).where(clause))


def enrol_new(session, sequence: Sequence, now: datetime) -> None:
    """Enrol the contacts the trigger brings in now (active, with an address, confirmed
    on the sequence's list)."""
    eligible = (Contact.status == ContactStatus.ACTIVE, Contact.email.is_not(None))
    if sequence.trigger == SequenceTrigger.CONFIRMATION:
        # the delay of the first step counts from the confirmation itself
        sub = Subscription
        rows = select(*_row(sequence, 0, EnrolmentState.ACTIVE, now, sub.confirmed_at)).join(
            sub, and_(sub.contact_id == Contact.id, sub.list_id == sequence.list_id,
                      sub.channel == Channel.EMAIL)).where(
            *eligible, sub.status == SubscriptionStatus.CONFIRMED,
            sub.confirmed_at >= sequence.activated_at, _not_enrolled(sequence, 0))
    elif sequence.trigger == SequenceTrigger.SEGMENT:
        clause = _segment_clause(session, sequence, now)
        if clause is None:
            return
        rows = select(*_row(sequence, 0, EnrolmentState.ACTIVE, now, literal(now))).where(
            *eligible, _confirmed(sequence), clause, _not_enrolled(sequence, 0))
    else:
        rows = select(*_row(sequence, now.year, EnrolmentState.ACTIVE, now, literal(now))
                      ).where(*eligible, _confirmed(sequence), date_is_today(
                          sequence.date_attribute, now), _not_enrolled(sequence, now.year))
    _insert(session, rows)


def date_is_today(attribute: str, now: datetime):
    """The attribute holds today's month and day: "YYYY-MM-DD" or "MM-DD". On 28 February
    of a year without a 29th, the 29th's dates count too."""
    value = Contact.attributes[attribute].as_string()
    days = [now.strftime("%m-%d")]
    if days == ["02-28"] and not _leap(now.year):
        days.append("02-29")
    return or_(*(or_(value.like(f"%-{day}"), value == day) for day in days))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def stop_leavers(session, sequence: Sequence, now: datetime) -> None:
    """Enrolments whose contact left the list (also if they came back since: their
    confirmation is newer than the enrolment) or is no longer active stop for good."""
    still_in = exists().where(
        Subscription.contact_id == Enrolment.contact_id,
        Subscription.list_id == sequence.list_id, Subscription.channel == Channel.EMAIL,
        Subscription.status == SubscriptionStatus.CONFIRMED,
        Subscription.confirmed_at <= Enrolment.enrolled_at)
    active = exists().where(Contact.id == Enrolment.contact_id,
                            Contact.status == ContactStatus.ACTIVE)
    session.execute(
        update(Enrolment)
        .where(Enrolment.sequence_id == sequence.id,
               Enrolment.state == EnrolmentState.ACTIVE, not_(and_(still_in, active)))
        .values(state=EnrolmentState.STOPPED, finished_at=now,
                reason="left the list or is no longer active")
        .execution_options(synchronize_session=False))
