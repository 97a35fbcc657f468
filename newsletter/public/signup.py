"""Signup: the hosted page per public list (also the target of embedded forms) and the
double opt-in confirmation."""

from flask import abort, render_template, request
from flask_babel import get_locale, gettext

from .. import notifications, profiles, subscriptions
from ..extensions import csrf, db
from ..i18n import use_language
from ..subscriptions import ListNotFound, SignupError
from . import bp, evidence, limit, message_page

HONEYPOT = "website"  # hidden from people; bots fill it in


def _list_or_404(key: str):
    try:
        return subscriptions.public_list(db.session, key)
    except ListNotFound:
        abort(404)


def run_signup(mlist, data, source: str):
    """Shared by the form and the JSON endpoint: limits, signup, commit, confirmation mail.
    Returns the SignupResult, or None for a bot that filled the honeypot."""
    if (data.get(HONEYPOT) or "").strip():
        return None
    limit("signup_ip", request.remote_addr or "-")
    limit("signup_address", (data.get("email") or "").strip().lower()[:254])
    use_language(data.get("language"))  # an embed form may say which language it shows
    version = subscriptions.clean_version(data.get("consent_version"), mlist)
    try:
        result = subscriptions.signup(
            db.session, mlist, data.get("email"), first_name=data.get("first_name"),
            last_name=data.get("last_name"), language=str(get_locale()),
            text_version=version, evidence=evidence(source))
    except SignupError:
        db.session.rollback()
        raise
    db.session.commit()
    if result.mail_due:
        notifications.enqueue("send_confirmation", result.subscription_id, version)
    return result


@bp.route("/subscribe/<key>", methods=["GET", "POST"])
@csrf.exempt  # embedded forms post here from other sites, without our session or token
def subscribe(key: str):
    mlist = _list_or_404(key)
    if request.method == "GET":
        return _form(mlist, {}, {})
    try:
        result = run_signup(mlist, request.form, source=f"signup form {request.referrer or ''}"
                            .strip()[:200])
    except SignupError as exc:
        return _form(mlist, request.form, exc.errors, 422)
    if result is not None and result.confirmed:
        return message_page(gettext("You are subscribed"),
                            gettext("Welcome to “%(name)s”.", name=mlist.name))
    return message_page(gettext("Check your inbox"), gettext(
        "We sent a confirmation link to your address. Your subscription starts when you "
        "open it. No mail? Look in the spam folder."))


def _form(mlist, values, errors, status: int = 200):
    return render_template(
        "public/subscribe.html", mlist=mlist, values=values, errors=errors,
        consent_text=subscriptions.consent_text(mlist),
        consent_version=subscriptions.consent_version(mlist)), status


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    sub, _ = subscriptions.pending_confirmation(db.session, token)
    use_language(sub.contact.language)
    if request.method == "GET" and sub.status != "confirmed":
        return render_template("public/confirm.html", mlist=sub.mailing_list)
    if request.method == "POST":
        sub = subscriptions.confirm(db.session, token, evidence("double opt-in confirmation"))
    url = profiles.profile_url(db.session, sub.contact_id)
    db.session.commit()
    return message_page(gettext("Subscription confirmed"),
                        gettext("Thank you. You will receive “%(name)s”.",
                                name=sub.mailing_list.name), profile_link=url)


@bp.app_template_global()
def signup_consent(mlist) -> tuple[str, str]:
    """(consent text, its version) for the embed snippet on the admin list page."""
    return subscriptions.consent_text(mlist), subscriptions.consent_version(mlist)
