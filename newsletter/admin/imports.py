"""Admin: upload a CSV/XML file, map its columns, follow the import job, read the report."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select

from newsletter import jobs
from newsletter.extensions import db
from newsletter.imports import pipeline
from newsletter.imports.files import TARGETS, XML_FIELDS
from newsletter.models import ContactImport, ImportStatus, MailingList
from newsletter.texts import shown

from . import bp, perform
from .contact_forms import ImportSetupForm, ImportUploadForm
from .forms import EmptyForm

#: an import's stored status (English codes) in the signed-in account's language
IMPORT_STATUSES = {
    ImportStatus.UPLOADED: lazy_gettext("uploaded"), ImportStatus.QUEUED: lazy_gettext("queued"),
    ImportStatus.RUNNING: lazy_gettext("running"), ImportStatus.FINISHED: lazy_gettext("finished"),
    ImportStatus.FAILED: lazy_gettext("failed"),
}


@bp.app_template_global()
def import_status_label(status: str) -> str:
    return str(IMPORT_STATUSES.get(status, status))


@bp.app_template_global()
def import_status_labels() -> dict[str, str]:
    """Every status word, for the progress script (it shows the polled status)."""
    return {code: str(label) for code, label in IMPORT_STATUSES.items()}


@bp.app_template_global()
def row_problem(reason: str) -> str:
    """A stored row problem (written in English by the worker) in the reader's language."""
    return shown(reason)


def _import_or_404(import_id: int) -> ContactImport:
    return db.session.get(ContactImport, import_id) or abort(404)


@bp.route("/imports", methods=["GET", "POST"])
def imports_page():
    # the one route whose body may exceed MAX_CONTENT_LENGTH: a large contact file
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
    form = ImportUploadForm()
    form.list_id.choices = [(m.id, m.name) for m in db.session.scalars(
        select(MailingList).order_by(MailingList.name))]
    if request.method != "POST" and request.args.get("list_id", type=int):
        form.list_id.data = request.args.get("list_id", type=int)
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            imp = pipeline.store_upload(db.session, form.list_id.data, upload.stream,
                                       upload.filename or "upload", current_user.email)
        except pipeline.ImportSetupError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc))
            status = 422
        else:
            db.session.commit()
            return redirect(url_for("admin.import_setup", import_id=imp.id))
    elif form.is_submitted():
        status = 422
    return render_template("admin/imports.html", form=form,
                           recent=pipeline.recent(db.session)), status


@bp.route("/imports/<int:import_id>/setup", methods=["GET", "POST"])
def import_setup(import_id: int):
    imp = _import_or_404(import_id)
    if imp.status != ImportStatus.UPLOADED:
        return redirect(url_for("admin.import_detail", import_id=imp.id))
    form = ImportSetupForm(data=None if request.method == "POST" else {
        "encoding": imp.encoding, "delimiter": imp.delimiter, "has_header": imp.has_header,
        "columns": imp.mapping,
        "source": gettext("import of %(name)s", name=imp.filename)})
    status = 200
    if request.method == "POST" and "preview" not in request.form:
        if form.validate_on_submit():
            try:
                pipeline.configure(
                    db.session, imp.id, legal_basis=form.legal_basis.data,
                    source=form.source.data or "", encoding=form.encoding.data,
                    delimiter=form.delimiter.data, has_header=form.has_header.data,
                    mapping=[c.data for c in form.columns])
            except pipeline.ImportSetupError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                db.session.commit()
                jobs.enqueue_import(imp.id)
                return redirect(url_for("admin.import_detail", import_id=imp.id))
        status = 422
    rows, names = [], []
    if imp.format == "csv":  # preview with what the editor chose, not yet saved
        rows = pipeline.preview_rows(db.session, imp.id, form.encoding.data, form.delimiter.data,
                                     limit=7)
        _fit_columns(form, rows)
        if form.has_header.data and rows:  # the header names the columns; it is no contact
            names, rows = rows[0], rows[1:]
    return render_template("admin/import_setup.html", imp=imp, form=form, rows=rows[:6],
                           names=names, xml_fields=XML_FIELDS, targets=TARGETS), status


def _fit_columns(form: ImportSetupForm, rows: list[list[str]]) -> None:
    width = max((len(r) for r in rows), default=0)
    while len(form.columns) < width:
        form.columns.append_entry("")
    while len(form.columns) > width:
        form.columns.pop_entry()


@bp.get("/imports/<int:import_id>")
def import_detail(import_id: int):
    imp = _import_or_404(import_id)
    mlist = db.session.get(MailingList, imp.list_id)
    return render_template("admin/import_detail.html", imp=imp, mlist=mlist,
                           issues=pipeline.issues_for(db.session, imp.id),
                           form=EmptyForm())


@bp.post("/imports/<int:import_id>/rejected.csv")
def import_rejected(import_id: int):
    """A POST: the rows are personal data, and their download goes to the audit log."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    _import_or_404(import_id)
    perform(lambda: pipeline.record_rejects_export(db.session, import_id, current_user.email))
    return Response(stream_with_context(pipeline.rejected_csv(db.session, import_id)),
                    mimetype="text/csv; charset=utf-8", headers={
                        "Content-Disposition": f'attachment; filename="rejected-{import_id}.csv"'})


@bp.get("/imports/<int:import_id>/status.json")
def import_status(import_id: int):
    status = pipeline.status(_import_or_404(import_id))
    return jsonify({**status, "error": shown(status["error"]) if status.get("error") else None})


@bp.post("/imports/<int:import_id>/retry")
def import_retry(import_id: int):
    _import_or_404(import_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        pipeline.retry(db.session, import_id)
    except pipeline.ImportSetupError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        jobs.enqueue_import(import_id)
        flash(gettext("The import was queued again; it goes on after the last saved row."),
              "success")
    return redirect(url_for("admin.import_detail", import_id=import_id))
