from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from newsletter.audience import lists
from newsletter.content import themes
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import MailingList

from . import bp
from .contact_forms import AddContactForm, ListForm
from .forms import choices


@bp.get("/lists", endpoint="lists")
def list_index():
    return render_template("admin/lists.html", lists=lists.list_overview(db.session))


def _list_fields(form: ListForm) -> dict:
    return {"visibility": form.visibility.data, "optin": form.optin.data,
            "language": form.language.data, "purpose": (form.purpose.data or "").strip(),
            "channels": ",".join(form.channels.data or ["email"]),
            "theme_id": form.theme_id.data or None}


def _list_form(**kwargs) -> ListForm:
    form = ListForm(**kwargs)
    form.theme_id.choices = choices([("", gettext("Default theme"))] + [
        (t.id, t.name) for t in themes.list_themes(db.session)])
    return form


def _save(form: ListForm, action):
    """Run ``action``; a refused value (e.g. a name with a line break) is a field error."""
    try:
        saved = action()
    except DomainError as exc:
        db.session.rollback()
        form.name.errors = [*form.name.errors, str(exc)]
        return None
    db.session.commit()
    return saved


@bp.route("/lists/new", methods=["GET", "POST"])
def new_list():
    form = _list_form()
    if form.validate_on_submit() and (mlist := _save(form, lambda: lists.create_list(
            db.session, form.name.data, form.description.data or "", **_list_fields(form)))):
        flash(gettext("List “%(name)s” created.", name=mlist.name), "success")
        return redirect(url_for("admin.list_detail", list_id=mlist.id))
    return render_template("admin/list_form.html", form=form, mlist=None), \
        (422 if form.errors else 200)


@bp.route("/lists/<int:list_id>/edit", methods=["GET", "POST"])
def edit_list(list_id: int):
    mlist = db.session.get(MailingList, list_id) or abort(404)
    form = _list_form(obj=mlist, data=None if request.method == "POST" else
                    {"channels": mlist.channels.split(",")})
    if form.validate_on_submit() and _save(form, lambda: lists.update_list(
            db.session, list_id, form.name.data, form.description.data or "",
            **_list_fields(form))):
        flash(gettext("List “%(name)s” saved.", name=mlist.name), "success")
        return redirect(url_for("admin.list_detail", list_id=mlist.id))
    return render_template("admin/list_form.html", form=form, mlist=mlist), \
        (422 if form.errors else 200)


@bp.route("/lists/<int:list_id>", methods=["GET", "POST"])
def list_detail(list_id: int):
    mlist = db.session.get(MailingList, list_id) or abort(404)
    form = AddContactForm()
    status = 200
    if form.validate_on_submit():
        try:
            contact = lists.add_contact_to_list(
                db.session, list_id, form.email.data, first_name=form.first_name.data or "",
                last_name=form.last_name.data or "", legal_basis=form.legal_basis.data,
            )
        except DomainError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
            status = 422
        else:
            db.session.commit()
            flash(gettext("%(email)s is subscribed to this list.", email=contact.email), "success")
            return redirect(url_for("admin.list_detail", list_id=list_id))
    elif form.is_submitted():
        status = 422
    members = lists.list_members(db.session, list_id)
    return render_template("admin/list_detail.html", mlist=mlist, form=form,
                           members=members), status
