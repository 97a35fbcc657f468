"""Owner-only: user accounts."""

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import User
from newsletter.platform import accounts

from . import owner_bp
from .forms import UserForm


@owner_bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                db.session, form.email.data, form.role.data, form.password.data
            )
        except DomainError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
            status = 422
        else:
            db.session.commit()
            flash(f"{user.email} can now log in as {user.role}.", "success")
            return redirect(url_for("admin.owner.users"))
    elif form.is_submitted():
        status = 422
    rows = db.session.scalars(select(User).order_by(User.email))
    return render_template("admin/users.html", form=form, users=list(rows)), status
