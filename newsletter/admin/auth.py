"""Login and logout. Failed logins answer the same for unknown, wrong and locked accounts;
attempts are limited per IP (RATE_LOGIN_IP) and per account (the lockout); logout ends
the session on the server."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from newsletter.extensions import db
from newsletter.platform import accounts
from newsletter.platform.ratelimit import limit
from newsletter.platform.redirects import safe_next

from . import bp
from .forms import EmptyForm, LoginForm


def lockout_settings() -> dict:
    cfg = current_app.config
    return {"threshold": cfg["LOGIN_LOCKOUT_THRESHOLD"],
            "base_seconds": cfg["LOGIN_LOCKOUT_BASE_SECONDS"],
            "max_seconds": cfg["LOGIN_LOCKOUT_MAX_SECONDS"]}


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        limit("login_ip", request.remote_addr or "-")
        try:
            user = accounts.authenticate(db.session, form.email.data, form.password.data,
                                         **lockout_settings())
        except accounts.InvalidCredentials as exc:
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
        accounts.end_sessions(db.session, current_user.id)
        db.session.commit()
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("admin.login"))
