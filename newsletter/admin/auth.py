"""Login, logout, and choosing a password through a mailed link (an invitation or a
reset, ``platform.invitations``). Failed logins answer the same for unknown, wrong and
locked accounts; attempts are limited per IP (RATE_LOGIN_IP) and per account (the
lockout); logout ends the session on the server."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.platform import accounts, invitations
from newsletter.platform.ratelimit import limit
from newsletter.platform.redirects import safe_next
from newsletter.platform.tokens import InvalidToken

from . import bp
from .forms import EmptyForm, LoginForm, PasswordForm


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


@bp.route("/password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """An invited (or reset) account chooses its password through the mailed link."""
    try:
        user = invitations.user_for(db.session, token)
    except InvalidToken as exc:
        return render_template("admin/set_password.html", form=None, problem=str(exc)), 410
    form = PasswordForm()
    if form.validate_on_submit():
        limit("login_ip", request.remote_addr or "-")
        try:
            invitations.set_password(db.session, token, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            flash(gettext("Your password is set. Log in with it."), "success")
            return redirect(url_for("admin.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/set_password.html", form=form, user=user), status


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit():
        accounts.end_sessions(db.session, current_user.id)
        db.session.commit()
        logout_user()
        flash(gettext("You are logged out."), "info")
    return redirect(url_for("admin.login"))
