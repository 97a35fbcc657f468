from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.platform import accounts
from newsletter.platform.redirects import safe_next

from . import bp
from .forms import EmptyForm, LoginForm


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        cfg = current_app.config
        try:
            user = accounts.authenticate(
                db.session, form.email.data, form.password.data,
                threshold=cfg["LOGIN_LOCKOUT_THRESHOLD"],
                base_seconds=cfg["LOGIN_LOCKOUT_BASE_SECONDS"],
                max_seconds=cfg["LOGIN_LOCKOUT_MAX_SECONDS"],
            )
        except DomainError as exc:
            db.session.commit()  # keep the failure count
            form.password.errors.append(str(exc))
            return render_template("admin/login.html", form=form), 401
        db.session.commit()
        session.permanent = True  # PERMANENT_SESSION_LIFETIME (7 days) applies
        login_user(user, remember=False)
        return redirect(safe_next(request.args.get("next"), url_for("admin.dashboard")))
    return render_template("admin/login.html", form=form)


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("admin.login"))
