"""Owner-only: user accounts. Adding one asks for the owner's own password, so nothing
running in an owner's browser can make an account (or an owner) on its own."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import User
from newsletter.platform import accounts

from . import owner_bp
from .auth import lockout_settings
from .forms import UserForm


@owner_bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = accounts.add_user(db.session, current_user.id, form.current_password.data,
                                     form.email.data, form.role.data, form.password.data,
                                     **lockout_settings())
        except accounts.InvalidCredentials as exc:
            db.session.commit()  # a wrong confirmation counts as a failed login
            form.current_password.errors.append(str(exc))
        except DomainError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{user.email} can now log in as {user.role}.", "success")
            return redirect(url_for("admin.owner.users"))
    rows = db.session.scalars(select(User).order_by(User.email))
    return render_template("admin/users.html", form=form, users=list(rows)), \
        (422 if form.is_submitted() else 200)
