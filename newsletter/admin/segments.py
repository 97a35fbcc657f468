"""Admin: saved segments. The editor builds AND/OR groups of conditions with plain form
buttons (it works without JavaScript); the count shows live (a GET that only counts,
called by static/segments.js as the form changes, or the "Count" button); saving is a
POST."""

from types import SimpleNamespace

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_number, gettext, lazy_gettext, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from newsletter.extensions import db
from newsletter.models import Segment
from newsletter.segments import conditions, segments

from . import bp, perform
from .forms import EmptyForm, choices

MATCHES = [("all", lazy_gettext("all of")), ("any", lazy_gettext("any of"))]
OPERATORS = sorted({op for _label, ops in conditions.KINDS.values() for op in ops})
OPERATOR_LABELS = {
    "equals": lazy_gettext("equals"), "not_equals": lazy_gettext("not equals"),
    "contains": lazy_gettext("contains"), "starts_with": lazy_gettext("starts with"),
    "ends_with": lazy_gettext("ends with"), "empty": lazy_gettext("empty"),
    "not_empty": lazy_gettext("not empty"), "is": lazy_gettext("is"),
    "is_not": lazy_gettext("is not"), "member": lazy_gettext("member"),
    "not_member": lazy_gettext("not member"), "before": lazy_gettext("before"),
    "after": lazy_gettext("after"), "within_days": lazy_gettext("within days"),
    "has": lazy_gettext("has"), "has_not": lazy_gettext("has not"),
    "yes": lazy_gettext("yes"), "no": lazy_gettext("no"),
}


class ConditionForm(Form):
    kind = SelectField(lazy_gettext("Kind"), choices=choices(
        (k, label) for k, (label, _ops) in conditions.KINDS.items()))
    key = StringField(lazy_gettext("Field or attribute"),
                      validators=[Optional(), Length(max=100)])
    op = SelectField(lazy_gettext("Operator"), choices=choices(
        (op, OPERATOR_LABELS.get(op, op.replace("_", " "))) for op in OPERATORS))
    value = StringField(lazy_gettext("Value"), validators=[Optional(), Length(max=200)])


class GroupForm(Form):
    match = SelectField(lazy_gettext("Match"), choices=choices(MATCHES))
    conditions = FieldList(FormField(ConditionForm), max_entries=conditions.MAX_CONDITIONS)


class SegmentForm(FlaskForm):
    name = StringField(lazy_gettext("Segment name"),
                       validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(lazy_gettext("Description"),
                                validators=[Optional(), Length(max=2000)])
    match = SelectField(lazy_gettext("Contacts who match"), choices=choices(MATCHES))
    groups = FieldList(FormField(GroupForm), max_entries=20)

    def definition(self) -> dict:
        return {"match": self.match.data, "groups": [
            {"match": g.form.match.data,
             "conditions": [dict(c.data) for c in g.form.conditions]}
            for g in self.groups]}

    def load(self, definition: dict) -> None:
        self.match.data = definition.get("match", "all")
        while self.groups.entries:
            self.groups.pop_entry()
        for group in definition.get("groups") or []:
            self.groups.append_entry(SimpleNamespace(
                match=group.get("match", "all"),
                conditions=[SimpleNamespace(**c) for c in group.get("conditions") or []]))


NEW_CONDITION = {"kind": "field", "key": "email", "op": "contains", "value": ""}


def edit_action(form: SegmentForm, action: str) -> bool:
    """Add a group or a condition, or remove one (a submit that re-renders the form
    unsaved). False when ``action`` is not one of these."""
    verb, _, arg = action.partition(":")
    definition = form.definition()
    groups = definition["groups"]
    indexes = [int(part) for part in arg.split(":") if part.isdigit()]
    if verb == "add-group":
        groups.append({"match": "all", "conditions": [dict(NEW_CONDITION)]})
    elif verb == "add-condition" and len(indexes) == 1 and indexes[0] < len(groups):
        groups[indexes[0]]["conditions"].append(dict(NEW_CONDITION))
    elif verb == "remove" and len(indexes) == 2 and indexes[0] < len(groups) \
            and indexes[1] < len(groups[indexes[0]]["conditions"]):
        group = groups[indexes[0]]
        group["conditions"].pop(indexes[1])
        if not group["conditions"]:
            groups.pop(indexes[0])
    else:
        return False
    form.load(definition)
    return True


def _count(definition: dict) -> tuple[int | None, str | None]:
    try:
        return segments.count(db.session, definition), None
    except conditions.SegmentError as exc:
        return None, str(exc)


@bp.get("/segments")
def segment_index():
    found = segments.list_segments(db.session)
    return render_template("admin/segments.html", segments=found, form=EmptyForm())


@bp.route("/segments/new", methods=["GET", "POST"], defaults={"segment_id": None})
@bp.route("/segments/<int:segment_id>", methods=["GET", "POST"])
def segment_edit(segment_id: int | None):
    segment = db.session.get(Segment, segment_id) if segment_id else None
    if segment_id and segment is None:
        abort(404)
    form = SegmentForm(obj=segment)
    if not form.is_submitted():
        form.load(segment.definition if segment else
                  {"match": "all", "groups": [{"match": "all", "conditions": [NEW_CONDITION]}]})
    action = request.form.get("action", "save")
    counted = error = None
    if form.is_submitted() and edit_action(form, action):
        pass
    elif form.is_submitted() and action == "count":
        counted, error = _count(form.definition())
    elif form.validate_on_submit():
        ok, saved = perform(lambda: segments.save_segment(
            db.session, segment_id, name=form.name.data, description=form.description.data or "",
            definition=form.definition(), created_by_id=current_user.id))
        if ok:
            flash(gettext("Segment “%(name)s” saved.", name=saved.name), "success")
            return redirect(url_for("admin.segment_edit", segment_id=saved.id))
    elif not form.is_submitted():
        counted, error = _count(form.definition())
    users = segments.users_of(db.session, segment_id) if segment_id else []
    return render_template("admin/segment_form.html", form=form, segment=segment,
                           counted=counted, error=error, users=users,
                           kinds=conditions.KINDS), 422 if form.errors else 200


@bp.get("/segments/count")
def segment_count():
    """The live count of the definition in the query string (the editor's fields); reads
    only."""
    form = SegmentForm(formdata=request.args, meta={"csrf": False})
    counted, error = _count(form.definition())
    text = None if counted is None else ngettext(
        "%(count)s contact matches now.", "%(count)s contacts match now.", counted,
        count=format_number(counted))
    return jsonify({"count": counted, "error": error, "text": text}), \
        200 if error is None else 422


@bp.post("/segments/<int:segment_id>/delete")
def segment_delete(segment_id: int):
    ok, _ = perform(lambda: segments.delete_segment(db.session, segment_id))
    if ok:
        flash(gettext("Segment deleted."), "success")
        return redirect(url_for("admin.segment_index"))
    return redirect(url_for("admin.segment_edit", segment_id=segment_id))
