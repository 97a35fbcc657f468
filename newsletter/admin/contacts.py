"""Admin: search contacts (count, filters), view and edit one, bulk actions on the ticked
or on all matching contacts (``contact_actions``), CSV export, and organizations with
their branches and persons."""

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from newsletter.audience import contacts, organizations, phones, removal
from newsletter.extensions import db
from newsletter.imports import exports
from newsletter.models import Contact, MailingList

from . import bp, contact_actions, perform
from .contact_forms import (
    BranchForm,
    BulkForm,
    ContactForm,
    ContactSearchForm,
    OrganizationForm,
    PersonForm,
)
from .forms import EmptyForm, error_text

#: the search's fields, carried along by the bulk form (scope "matching")
SEARCH_FIELDS = ("q", "list_id", "status", "language", "basis", "field", "value")


def _search_form(formdata=None) -> tuple[ContactSearchForm, contacts.ContactFilter]:
    form = ContactSearchForm(formdata if formdata is not None else request.args)
    form.list_id.choices = [("", gettext("Any list"))] + _list_choices()
    form.validate()
    flt = contacts.ContactFilter(q=form.q.data or "", status=form.status.data or "",
                                 language=form.language.data or "",
                                 list_id=None if form.list_id.errors else form.list_id.data,
                                 basis=form.basis.data or "", field=form.field.data or "",
                                 value=form.value.data or "")
    return form, flt


def _list_choices() -> list[tuple[int, str]]:
    return [(m.id, m.name) for m in
            db.session.scalars(select(MailingList).order_by(MailingList.name))]


def _bulk_form() -> BulkForm:
    form = BulkForm()
    form.to_list.choices = [("", gettext("Choose the list…"))] + _list_choices()
    return form


def _actor() -> str:
    return f"editor:{current_user.email}"


@bp.get("/contacts")
def contacts_page():
    form, flt = _search_form()
    before = request.args.get("before", type=int)
    page, next_before = contacts.search(db.session, flt, before=before)
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template("admin/contacts.html", form=form, contacts=page,
                           next_before=next_before, args=args, first_page=not before,
                           bulk=_bulk_form(), total=contacts.count(db.session, flt),
                           search={k: args[k] for k in SEARCH_FIELDS if k in args})


@bp.post("/contacts/export.csv")
def contacts_export():
    """A POST: a download of personal data is put in the audit log first."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    _form, flt = _search_form()
    return _export(flt)


@bp.get("/contacts/<int:contact_id>")
def contact_detail(contact_id: int):
    db.session.get(Contact, contact_id) or abort(404)
    return render_template("admin/contact_detail.html",
                           **contacts.detail(db.session, contact_id), bulk=BulkForm())


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def contact_edit(contact_id: int):
    contact = db.session.get(Contact, contact_id) or abort(404)
    form = ContactForm(obj=contact, data=phones.form_data(db.session, contact_id))
    _affiliation_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            changed = contacts.update(db.session, contact_id, form.data, actor=_actor())
        except contacts.ContactError as exc:
            db.session.rollback()
            getattr(form, exc.field or "email").errors.append(str(exc))
            status = 422
        else:
            db.session.commit()
            flash(ngettext("Saved: %(num)d field changed.", "Saved: %(num)d fields changed.",
                           len(changed)) if changed else gettext("Nothing changed."), "success")
            return redirect(url_for("admin.contact_detail", contact_id=contact_id))
    elif form.is_submitted():
        status = 422
    return render_template("admin/contact_form.html", form=form, contact=contact), status


def _affiliation_choices(form: ContactForm) -> None:
    none = [(None, "—")]
    form.organization_id.choices = none + [(o.id, o.name) for o in
                                           organizations.list_organizations(db.session)]
    form.branch_id.choices = none + [(b.id, f"{o.name}: {b.name}") for b, o in
                                     organizations.list_branches(db.session)]
    form.person_id.choices = none + [(p.id, p.name) for p in organizations.list_persons(db.session)]


@bp.post("/contacts/bulk")
def contacts_bulk():
    form = _bulk_form()
    search = {k: request.form[k] for k in SEARCH_FIELDS if request.form.get(k)}
    back = url_for("admin.contacts_page", **search)
    if not form.validate_on_submit():
        flash(error_text(form), "error")
        return redirect(back)
    _form, flt = _search_form(request.form)
    ids = (contacts.matching_ids(db.session, flt) if form.scope.data == "matching"
           else form.ids.data)
    action = form.action.data
    if action == "export":
        return _export(contacts.ContactFilter(ids=tuple(ids)))
    if action == "erase" and not form.confirm.data:
        warning = removal.deletion_warning(db.session, ids)
        return render_template("admin/contact_erase.html", form=form, warning=warning,
                               ids=ids if form.scope.data != "matching" else [],
                               search=search), (422 if form.confirm.raw_data else 200)
    ok, message = perform(lambda: contact_actions.run(db.session, action, ids, form.to_list.data,
                                           current_user.id, _actor()))
    if ok:
        flash(message, "success")
    return redirect(back)


def _export(flt: contacts.ContactFilter) -> Response:
    """The contacts as CSV, put in the audit log (who, which filter, how many) first."""
    perform(lambda: exports.record_export(db.session, flt, current_user.email))
    name = f"contacts-list-{flt.list_id}.csv" if flt.list_id else "contacts.csv"
    return Response(stream_with_context(exports.csv_lines(db.session, flt)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/organizations", methods=["GET", "POST"])
def organizations_page():
    org_form, branch_form, person_form = (OrganizationForm(prefix="org"),
                                          BranchForm(prefix="branch"), PersonForm(prefix="person"))
    known = organizations.list_organizations(db.session)
    branch_form.organization_id.choices = [(o.id, o.name) for o in known]
    status = 200
    submitted = next((f for f in (org_form, branch_form, person_form)
                      if f"{f._prefix}submit" in request.form), None)
    if submitted is not None:
        if submitted.validate_on_submit():
            try:
                _create_affiliation(submitted, org_form, branch_form)
            except contacts.ContactError as exc:
                db.session.rollback()
                getattr(submitted, exc.field or "name").errors.append(str(exc))
            else:
                db.session.commit()
                flash(gettext("Saved."), "success")
                return redirect(url_for("admin.organizations_page"))
        status = 422
    return render_template("admin/contact_organizations.html", org_form=org_form,
                           branch_form=branch_form, person_form=person_form,
                           organizations=known,
                           branches=organizations.list_branches(db.session),
                           persons=organizations.list_persons(db.session)), status


def _create_affiliation(form, org_form, branch_form) -> None:
    if form is org_form:
        organizations.create_organization(db.session, form.name.data,
                                          form.registration_no.data or "", form.phone.data or "")
    elif form is branch_form:
        organizations.create_branch(db.session, form.organization_id.data, form.name.data)
    else:
        organizations.create_person(db.session, form.first_name.data or "",
                                    form.last_name.data or "")
