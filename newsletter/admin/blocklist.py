"""Admin: the block list (seed 001) and a campaign's check-recipients page."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from newsletter.blocklist import csv_files, entries, matching
from newsletter.campaigns import recipients
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import BlocklistEntry, Campaign, Channel

from . import bp, perform
from .forms import EmptyForm, choices, strip
from .labels import CHANNELS as CHANNEL_LABELS


@bp.app_template_global()
def channel_labels(channels) -> str:
    """An entry's forbidden channels (BlocklistChannel rows) in words."""
    return ", ".join(str(CHANNEL_LABELS.get(c, c)) for c in sorted(x.channel for x in channels))


class EntryForm(FlaskForm):
    organization = StringField(lazy_gettext("Organization"), filters=[strip],
                               validators=[Optional(), Length(max=200)])
    branch = StringField(lazy_gettext("Branch"), filters=[strip],
                         validators=[Optional(), Length(max=200)])
    person = StringField(lazy_gettext("Person"), filters=[strip],
                         validators=[Optional(), Length(max=200)])
    email = StringField(lazy_gettext("E-mail"), filters=[strip],
                        validators=[Optional(), Length(max=254)])
    phone = StringField(lazy_gettext("Phone"), filters=[strip],
                        validators=[Optional(), Length(max=40)])
    channels = SelectMultipleField(
        lazy_gettext("Forbidden channels"), choices=choices(CHANNEL_LABELS.items()),
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    note = TextAreaField(lazy_gettext("Note"), validators=[Optional(), Length(max=2000)])

    def data_for_domain(self) -> entries.EntryData:
        return entries.EntryData(**{
            name: getattr(self, name).data or ([] if name == "channels" else "")
            for name in ("organization", "branch", "person", "email", "phone", "channels",
                         "note")})


class ImportForm(FlaskForm):
    file = FileField(lazy_gettext("CSV file"),
                     validators=[FileRequired(lazy_gettext("Choose a CSV file."))])


@bp.app_template_global()
def campaign_blocked(campaign_id: int):
    """For the campaign page's include: its blocked deliveries and the entries behind them."""
    return matching.blocked_deliveries(db.session, campaign_id)


@bp.get("/blocklist")
def blocklist_index():
    query, channel = request.args.get("q", ""), request.args.get("channel", "")
    found, page, pages = entries.search_entries(
        db.session, query, channel, request.args.get("page", 1, type=int))
    return render_template(
        "admin/blocklist.html", entries=found, pages=pages, query=query, channel=channel,
        page=page, channels=CHANNEL_LABELS,
        form=EmptyForm(), import_form=ImportForm())


@bp.route("/blocklist/new", methods=["GET", "POST"], defaults={"entry_id": None})
@bp.route("/blocklist/<int:entry_id>/edit", methods=["GET", "POST"])
def blocklist_edit(entry_id: int | None):
    entry = db.session.get(BlocklistEntry, entry_id) if entry_id else None
    if entry_id and entry is None:
        abort(404)
    form = EntryForm(obj=entries.entry_data(entry) if entry else None)
    if not form.is_submitted() and entry is None:
        form.channels.data = [Channel.EMAIL]
    if form.validate_on_submit():
        try:
            saved = entries.save_entry(db.session, entry_id, form.data_for_domain(),
                                         created_by_id=current_user.id)
        except entries.EntryInvalid as exc:
            db.session.rollback()
            for name, message in exc.errors.items():
                getattr(form, name).errors.append(message)
        else:
            db.session.commit()
            flash(gettext("Block-list entry #%(id)d saved.", id=saved.id), "success")
            return redirect(url_for("admin.blocklist_index"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/blocklist_form.html", form=form, entry=entry), status


@bp.post("/blocklist/<int:entry_id>/delete")
def blocklist_delete(entry_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        entries.delete_entry(db.session, entry_id)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(gettext("Block-list entry #%(id)d deleted.", id=entry_id), "success")
    return redirect(url_for("admin.blocklist_index"))


@bp.post("/blocklist/export.csv")
def blocklist_export():
    """A POST: the download is recorded in the audit log."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    ok, body = perform(lambda: csv_files.export_entries(db.session, current_user.email))
    if not ok:
        return redirect(url_for("admin.blocklist_index"))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=blocklist.csv"})


@bp.post("/blocklist/import")
def blocklist_import():
    form = ImportForm()
    report, status = None, 422
    if form.validate_on_submit():
        try:
            report = csv_files.import_entries(db.session, form.file.data.read(),
                                                  created_by_id=current_user.id)
        except DomainError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            status = 422 if report.errors else 200
    return render_template("admin/blocklist_import.html", form=form, report=report,
                           columns=csv_files.COLUMNS), status


@bp.get("/campaigns/<int:campaign_id>/recipients-check")
def campaign_recipients_check(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    blocked_only = request.args.get("blocked") == "1"
    check = recipients.check_recipients(db.session, campaign_id, blocked_only=blocked_only,
                                       page=request.args.get("page", 1, type=int))
    return render_template("admin/blocklist_check.html", campaign=campaign, check=check,
                           blocked_only=blocked_only)
