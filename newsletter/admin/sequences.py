"""Admin: welcome and drip sequences. The list of sequences; a sequence's page (its list
and trigger, its steps with their delays and statistics, activate and pause); adding a
step (a delay and a message started from a template, then composed like any campaign);
changing a step's delay or deleting a step nobody received."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext, lazy_pgettext, ngettext
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

TRIGGERS = [(SequenceTrigger.CONFIRMATION, lazy_gettext("A contact confirms the list")),
            (SequenceTrigger.SEGMENT, lazy_gettext("A contact joins a segment")),
            (SequenceTrigger.DATE,
             lazy_gettext("A date of the contact (e.g. a birthday), every year"))]
UNIT_CHOICES = [("minutes", lazy_gettext("minutes")), ("hours", lazy_gettext("hours")),
                ("days", lazy_gettext("days"))]
EDIT_NOTE = lazy_gettext("Editing a step (its message or its delay) affects only contacts who "
                         "have not reached it yet; those who received it keep what they got.")
#: what a sequence's state reads as (the stored codes stay English)
#: in context: the word agrees with "sequence" (feminine in sk, neuter in sl)
STATUSES = {SequenceStatus.DRAFT: lazy_pgettext("sequence status", "draft"),
            SequenceStatus.ACTIVE: lazy_pgettext("sequence status", "active"),
            SequenceStatus.PAUSED: lazy_pgettext("sequence status", "paused")}


class SequenceForm(FlaskForm):
    name = StringField(lazy_gettext("Sequence name"), filters=[strip],
                       validators=[DataRequired(), Length(max=200)])
    list_id = SelectField(lazy_gettext("List"), coerce=int, validators=[InputRequired()])
    trigger = SelectField(lazy_gettext("Starts when"), choices=TRIGGERS,
                          default=SequenceTrigger.CONFIRMATION)
    segment_id = SelectField(lazy_gettext("Segment"), coerce=int, default=0)
    date_attribute = StringField(lazy_gettext("Date attribute"), filters=[strip],
                                 validators=[Optional(), Length(max=64)])


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(gettext("Give the delay as a whole number, e.g. 3.")) from None


class DelayMixin:
    delay = WholeNumberField(lazy_gettext("Wait"), default=0, validators=[
        InputRequired(message=lazy_gettext("Give the delay as a whole number.")),
        NumberRange(min=0, max=366 * 24 * 60)])
    delay_unit = SelectField(lazy_gettext("Unit"), choices=UNIT_CHOICES, default="days")


class NewStepForm(DelayMixin, FlaskForm):
    subject = StringField(lazy_gettext("Subject"), filters=[strip],
                          validators=[DataRequired(), Length(max=300)])
    template = SelectField(lazy_gettext("Start from"), default="blank")


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
        return gettext("at once")
    amount, unit = delay_parts(minutes)
    if unit == "days":
        return ngettext("%(num)d day", "%(num)d days", amount)
    if unit == "hours":
        return ngettext("%(num)d hour", "%(num)d hours", amount)
    return ngettext("%(num)d minute", "%(num)d minutes", amount)


@bp.app_template_global()
def sequence_status_label(status: str) -> str:
    return str(STATUSES.get(status, status))


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
            flash(gettext("Sequence “%(name)s” saved.", name=saved.name) if saved.steps else
                  gettext("Sequence “%(name)s” saved. Now add its first step.",
                          name=saved.name), "success")
            return redirect(url_for("admin.sequence_edit", sequence_id=saved.id))
    stats = sequences.step_stats(db.session, sequence) if sequence else []
    counts = sequences.enrolment_counts(db.session, sequence.id) if sequence else {}
    return render_template("admin/sequence_form.html", form=form, sequence=sequence,
                           stats=stats, counts=counts, control=EmptyForm(), note=str(EDIT_NOTE),
                           describe_delay=describe_delay), 422 if form.errors else 200


@bp.post("/sequences/<int:sequence_id>/<any(activate, pause):action>")
def sequence_control(sequence_id: int, action: str):
    ok, saved = perform(lambda: sequences.set_active(db.session, sequence_id,
                                                     action == "activate", utcnow()))
    if ok:
        flash(gettext("Sequence active: contacts the trigger brings in from now on receive "
                      "its steps.")
              if saved.status == SequenceStatus.ACTIVE else
              gettext("Sequence paused: nobody is enrolled and nothing is sent until it is "
                      "activated again."), "success")
    return redirect(url_for("admin.sequence_edit", sequence_id=sequence_id))


def _template_choices():
    starters = [(key, gettext("%(name)s (starter)", name=gettext(label)))
                for key, (label, _blocks) in TEMPLATES.items()]
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
            flash(gettext("Step %(num)d added: now compose its message.", num=step.position),
                  "success")
            return redirect(url_for("admin.edit_campaign",
                                    campaign_id=step.template_campaign_id))
    return render_template("admin/sequence_step.html", form=form, sequence=sequence,
                           step=None, control=EmptyForm(), note=str(EDIT_NOTE)), \
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
            flash(gettext("Step %(num)d now waits %(delay)s; contacts who already received "
                          "it are not affected.", num=step.position,
                          delay=describe_delay(step.delay_minutes)), "success")
            return redirect(url_for("admin.sequence_edit", sequence_id=sequence_id))
    return render_template("admin/sequence_step.html", form=form, sequence=sequence,
                           step=step, control=EmptyForm(), note=str(EDIT_NOTE)), \
        422 if form.errors else 200


@bp.post("/sequences/<int:sequence_id>/steps/<int:step_id>/delete")
def sequence_step_delete(sequence_id: int, step_id: int):
    ok, _ = perform(lambda: sequences.delete_step(db.session, sequence_id, step_id))
    if ok:
        flash(gettext("Step deleted; contacts waiting for it go on to the next one."),
              "success")
        return redirect(url_for("admin.sequence_edit", sequence_id=sequence_id))
    return redirect(url_for("admin.sequence_step_edit", sequence_id=sequence_id,
                            step_id=step_id))
