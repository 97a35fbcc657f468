"""Admin: search contacts, view and edit one, bulk actions (unsubscribe, archive, erase),
CSV export, and organizations with their branches and persons."""

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
from flask_login import current_user
from sqlalchemy import select

from newsletter.audience import contacts, organizations, phones, removal
from newsletter.extensions import db
from newsletter.imports import exports
from newsletter.models import Contact, MailingList
from newsletter.platform.redirects import safe_next

from . import bp, perform
from .forms import (
    BranchForm,
    BulkForm,
    ContactForm,
    ContactSearchForm,
    EmptyForm,
    OrganizationForm,
    PersonForm,
)


def _search_form() -> tuple[ContactSearchForm, contacts.ContactFilter]:
    form = ContactSearchForm(request.args)
    form.list_id.choices = [("", "Any list")] + [
        (m.id, m.name) for m in db.session.scalars(select(MailingList).order_by(MailingList.name))]
    form.validate()
    flt = contacts.ContactFilter(q=form.q.data or "", status=form.status.data or "",
                                 language=form.language.data or "",
                                 list_id=None if form.list_id.errors else form.list_id.data)
    return form, flt


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
                           bulk=BulkForm())


@bp.post("/contacts/export.csv")
def contacts_export():
    """A POST: a download of personal data is put in the audit log first."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    _form, flt = _search_form()
    perform(lambda: exports.record_export(db.session, flt, current_user.email))
    name = f"contacts-list-{flt.list_id}.csv" if flt.list_id else "contacts.csv"
    return Response(stream_with_context(exports.csv_lines(db.session, flt)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


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
            flash(f"Saved: {len(changed)} field(s) changed." if changed else "Nothing changed.",
                  "success")
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
    form = BulkForm()
    if not form.validate_on_submit():
        flash("Select at least one contact.", "error")
        return redirect(safe_next(request.referrer, url_for("admin.contacts_page"),
                                  origin=request.host_url))
    ids, action = form.ids.data, form.action.data
    if action == "erase" and not form.confirm.data:
        warning = removal.deletion_warning(db.session, ids)
        return render_template("admin/contact_erase.html", form=form, warning=warning,
                               ids=ids), (422 if form.confirm.raw_data else 200)
    count = removal.apply(db.session, action, ids, _actor())
    db.session.commit()
    done = {"unsubscribe": "unsubscribed", "archive": "archived", "erase": "erased"}[action]
    flash(f"{count} contact(s) {done}.", "success")
    return redirect(url_for("admin.contacts_page"))


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
                flash("Saved.", "success")
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
