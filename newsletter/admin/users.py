"""Owner-only: user accounts. Adding one asks for the owner's own password, so nothing
running in an owner's browser can make an account (or an owner) on its own."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from newsletter import jobs
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import User
from newsletter.platform import accounts, invitations

from . import owner_bp, perform
from .auth import lockout_settings
from .forms import ROLES_LEAST_FIRST, AccountForm, EmptyForm, UserForm
from .labels import role_label


@owner_bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserForm()
    if form.validate_on_submit():
        confirm, email, role = form.current_password.data, form.email.data, form.role.data

        def add() -> User:
            if form.invite.data:
                return invitations.invite_user(db.session, current_user.id, confirm, email,
                                               role, **lockout_settings())
            return accounts.add_user(db.session, current_user.id, confirm, email, role,
                                     form.password.data, **lockout_settings())

        user = _confirmed(form, form.email, add)
        if user is not None:
            if form.invite.data:
                jobs.enqueue_account_mail(user.id, invitations.INVITE)
                flash(ngettext("%(email)s is invited as %(role)s: the mail has a link to "
                               "choose a password (%(num)d hour).",
                               "%(email)s is invited as %(role)s: the mail has a link to "
                               "choose a password (%(num)d hours).", invitations.LINK_HOURS,
                               email=user.email, role=role_label(user.role)), "success")
            else:
                flash(gettext("%(email)s can now log in as %(role)s.", email=user.email,
                              role=role_label(user.role)), "success")
            return redirect(url_for("admin.owner.users"))
    return _page(form, 422 if form.is_submitted() else 200)


@owner_bp.post("/users/<int:user_id>/reset")
def password_reset(user_id: int):
    """Mail the account a link to set a new password."""
    if EmptyForm().validate_on_submit():
        ok, user = perform(lambda: invitations.request_reset(db.session, current_user.id,
                                                              user_id))
        if ok:
            jobs.enqueue_account_mail(user.id, invitations.RESET)
            flash(gettext("A link to set a new password is on its way to %(email)s.",
                          email=user.email), "success")
    return redirect(url_for("admin.owner.users"))


def _page(form: UserForm, status: int, account_form: AccountForm | None = None,
          account_id: int | None = None):
    rows = db.session.scalars(select(User).order_by(User.active.desc(), User.email))
    return render_template("admin/users.html", form=form, users=list(rows),
                           account_form=account_form or AccountForm(),
                           account_id=account_id, roles=ROLES_LEAST_FIRST,
                           reset_form=EmptyForm()), status


@owner_bp.post("/users/<int:user_id>")
def account(user_id: int):
    """Another role for an account, or its removal; both ask for the owner's password."""
    form = AccountForm()
    remove = request.form.get("action") == "remove"
    if form.validate_on_submit():
        confirm = form.current_password.data

        def change() -> User:
            if remove:
                return accounts.remove_user(db.session, current_user.id, confirm, user_id,
                                            **lockout_settings())
            return accounts.change_role(db.session, current_user.id, confirm, user_id,
                                        form.role.data, **lockout_settings())

        user = _confirmed(form, form.role, change)
        if user is not None:
            flash(gettext("%(email)s was removed: it can no longer log in.", email=user.email)
                  if remove else gettext("%(email)s is now %(role)s.", email=user.email,
                                         role=role_label(user.role)), "success")
            return redirect(url_for("admin.owner.users"))
    return _page(UserForm(formdata=None), 422, form, user_id)


def _confirmed(form, field, action) -> User | None:
    """Run an account change the owner confirmed with their own password, and commit. A
    wrong password counts as a failed login of the owner (kept) and is the password
    field's error; any other refusal rolls back and is ``field``'s error."""
    try:
        user = action()
    except accounts.InvalidCredentials as exc:
        db.session.commit()
        form.current_password.errors.append(str(exc))
        return None
    except DomainError as exc:
        db.session.rollback()
        field.errors.append(str(exc))
        return None
    db.session.commit()
    return user
