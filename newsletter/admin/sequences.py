"""Admin: welcome and drip sequences. The list of sequences; a sequence's page (its list
and trigger, its steps with their delays and statistics, activate and pause); adding a
step (a delay and a message started from a template, then composed like any campaign);
changing a step's delay or deleting a step nobody received."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from newsletter.automation import sequences
from newsletter.content import saved_templates
from newsletter.content.blocks import TEMPLATES
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import (
    Campaign,
    MailingList,
    Segment,
    Sequence,
    SequenceStatus,
    SequenceTrigger,
    utcnow,
)

from . import bp, perform
from .forms import EmptyForm, choices, strip

TRIGGERS = [(SequenceTrigger.CONFIRMATION, "A contact confirms the list"),
            (SequenceTrigger.SEGMENT, "A contact joins a segment"),
            (SequenceTrigger.DATE, "A date of the contact (e.g. a birthday), every year")]
UNIT_CHOICES = [("minutes", "minutes"), ("hours", "hours"), ("days", "days")]
EDIT_NOTE = ("Editing a step (its message or its delay) affects only contacts who have not "
             "reached it yet; those who received it keep what they got.")


class SequenceForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired(), Length(max=200)])
    list_id = SelectField("List", coerce=int, validators=[InputRequired()])
    trigger = SelectField("Starts when", choices=TRIGGERS, default=SequenceTrigger.CONFIRMATION)
    segment_id = SelectField("Segment", coerce=int, default=0)
    date_attribute = StringField("Date attribute", filters=[strip],
                                 validators=[Optional(), Length(max=64)])


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Give the delay as a whole number, e.g. 3.") from None


class DelayMixin:
    delay = WholeNumberField("Wait", default=0,
                         validators=[InputRequired(message="Give the delay as a whole number."),
                                     NumberRange(min=0, max=366 * 24 * 60)])
    delay_unit = SelectField("Unit", choices=UNIT_CHOICES, default="days")


class NewStepForm(DelayMixin, FlaskForm):
    subject = StringField("Subject", filters=[strip],
                          validators=[DataRequired(), Length(max=300)])
    template = SelectField("Start from", default="blank")


class StepForm(DelayMixin, FlaskForm):
    pass


def _lists():
    return choices((m.id, m.name) for m in db.session.query(MailingList)
                   .order_by(MailingList.name))


def _segments():
    return choices([(0, "—"), *((s.id, s.name) for s in db.session.query(Segment)
                                 .order_by(Segment.name))])


def _attempt(form, action) -> tuple[bool, object]:
    """One service call and commit; a domain error goes to its field (or is flashed)."""
    try:
        result = action()
    except sequences.SequenceError as exc:
        db.session.rollback()
        target = getattr(form, exc.field or "", None)
        if target is not None:
            target.errors = [*target.errors, str(exc)]
        else:
            flash(str(exc), "error")
        return False, None
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False, None
    db.session.commit()
    return True, result


def _delay_minutes(form) -> int:
    return sequences.delay_minutes(form.delay.data, form.delay_unit.data)


def delay_parts(minutes: int) -> tuple[int, str]:
    for unit in ("days", "hours"):
        size = sequences.UNITS[unit]
        if minutes and minutes % size == 0:
            return minutes // size, unit
    return minutes, "minutes"


def describe_delay(minutes: int) -> str:
    if minutes == 0:
        return "at once"
    amount, unit = delay_parts(minutes)
    return f"{amount} {unit[:-1] if amount == 1 else unit}"


@bp.app_template_global()
def campaign_sequence_step(campaign: Campaign):
    """For the campaign page: the sequence step whose message this draft is."""
    return sequences.step_of_template(db.session, campaign.id)


@bp.get("/sequences")
def sequence_index():
    found = sequences.list_sequences(db.session)
    counts = {s.id: sequences.enrolment_counts(db.session, s.id) for s in found}
    return render_template("admin/sequences.html", sequences=found, counts=counts)


@bp.route("/sequences/new", methods=["GET", "POST"], defaults={"sequence_id": None})
@bp.route("/sequences/<int:sequence_id>", methods=["GET", "POST"])
def sequence_edit(sequence_id: int | None):
    sequence = db.session.get(Sequence, sequence_id) if sequence_id else None
    if sequence_id and sequence is None:
        abort(404)
    form = SequenceForm(obj=sequence)
    form.list_id.choices, form.segment_id.choices = _lists(), _segments()
    if sequence is not None and not form.is_submitted():
        form.segment_id.data = sequence.segment_id or 0
    if form.validate_on_submit():
        ok, saved = _attempt(form, lambda: sequences.save_sequence(
            db.session, sequence_id, name=form.name.data, list_id=form.list_id.data,
            trigger=form.trigger.data, segment_id=form.segment_id.data or None,
            date_attribute=form.date_attribute.data or "", created_by_id=current_user.id))
        if ok:
            flash(f"Sequence “{saved.name}” saved." + (
                "" if saved.steps else " Now add its first step."), "success")
            return redirect(url_for("admin.sequence_edit", sequence_id=saved.id))
    stats = sequences.step_stats(db.session, sequence) if sequence else []
    counts = sequences.enrolment_counts(db.session, sequence.id) if sequence else {}
    return render_template("admin/sequence_form.html", form=form, sequence=sequence,
                           stats=stats, counts=counts, control=EmptyForm(), note=EDIT_NOTE,
                           describe_delay=describe_delay), 422 if form.errors else 200


@bp.post("/sequences/<int:sequence_id>/<any(activate, pause):action>")
def sequence_control(sequence_id: int, action: str):
    ok, saved = perform(lambda: sequences.set_active(db.session, sequence_id,
                                                     action == "activate", utcnow()))
    if ok:
        flash("Sequence active: contacts the trigger brings in from now on receive its steps."
              if saved.status == SequenceStatus.ACTIVE else
              "Sequence paused: nobody is enrolled and nothing is sent until it is "
              "activated again.", "success")
    return redirect(url_for("admin.sequence_edit", sequence_id=sequence_id))


def _template_choices():
    starters = [(key, f"{label} (starter)") for key, (label, _) in TEMPLATES.items()]
    return choices([*starters, *saved_templates.choices(db.session)])


@bp.route("/sequences/<int:sequence_id>/steps/new", methods=["GET", "POST"])
def sequence_step_new(sequence_id: int):
    sequence = db.session.get(Sequence, sequence_id) or abort(404)
    form = NewStepForm()
    form.template.choices = _template_choices()
    if form.validate_on_submit():
        ok, step = _attempt(form, lambda: sequences.add_step(
            db.session, sequence_id, delay=_delay_minutes(form), subject=form.subject.data,
            template=form.template.data, created_by_id=current_user.id))
        if ok:
            flash(f"Step {step.position} added: now compose its message.", "success")
            return redirect(url_for("admin.edit_campaign",
                                    campaign_id=step.template_campaign_id))
    return render_template("admin/sequence_step.html", form=form, sequence=sequence,
                           step=None, control=EmptyForm(), note=EDIT_NOTE), \
        422 if form.errors else 200


@bp.route("/sequences/<int:sequence_id>/steps/<int:step_id>", methods=["GET", "POST"])
def sequence_step_edit(sequence_id: int, step_id: int):
    sequence = db.session.get(Sequence, sequence_id) or abort(404)
    try:
        step = sequences.get_step(db.session, sequence_id, step_id)
    except sequences.SequenceError:
        abort(404)
    form = StepForm()
    if not form.is_submitted():
        form.delay.data, form.delay_unit.data = delay_parts(step.delay_minutes)
    if form.validate_on_submit():
        ok, _ = _attempt(form, lambda: sequences.update_step(
            db.session, sequence_id, step_id, delay=_delay_minutes(form)))
        if ok:
            flash(f"Step {step.position} now waits {describe_delay(step.delay_minutes)}; "
                  "contacts who already received it are not affected.", "success")
            return redirect(url_for("admin.sequence_edit", sequence_id=sequence_id))
    return render_template("admin/sequence_step.html", form=form, sequence=sequence,
                           step=step, control=EmptyForm(), note=EDIT_NOTE), \
        422 if form.errors else 200


@bp.post("/sequences/<int:sequence_id>/steps/<int:step_id>/delete")
def sequence_step_delete(sequence_id: int, step_id: int):
    ok, _ = perform(lambda: sequences.delete_step(db.session, sequence_id, step_id))
    if ok:
        flash("Step deleted; contacts waiting for it go on to the next one.", "success")
        return redirect(url_for("admin.sequence_edit", sequence_id=sequence_id))
    return redirect(url_for("admin.sequence_step_edit", sequence_id=sequence_id,
                            step_id=step_id))
