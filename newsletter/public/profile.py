"""The GDPR profile: /p/<code> opens with the signed footer link or after a one-time login
link; there the subscriber sees and edits their data, switches subscriptions, downloads
everything as JSON and asks for erasure."""

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext

from newsletter import jobs
from newsletter.audience import history, profiles
from newsletter.audience.subscriptions import SignupError, clean_email
from newsletter.content import webview
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import Contact
from newsletter.platform.i18n import (
    LANGUAGES,
    TIME_ZONES,
    use_language,
    use_time_zone,
    usual_time_zone,
)
from newsletter.platform.ratelimit import limit

from . import bp, evidence, message_page

SESSION_KEY = "profile_contact"


def _signed_in(code: str) -> Contact | None:
    contact = profiles.find_by_code(db.session, code)
    if contact is None or cookie.get(SESSION_KEY) != contact.id:
        return None
    use_language(contact.language)
    return contact


def _sign_in(contact_id: int, code: str):
    """The profile session lives in its own key of the cookie session: an admin logged in
    in the same browser stays logged in."""
    cookie[SESSION_KEY] = contact_id
    return redirect(url_for("public.profile", code=code))


@bp.get("/p")
def profile_login():
    """Ask for the address (and optionally the code)."""
    values = {"code": request.args.get("code", "")}
    return render_template("public/profile_login.html", values=values, errors={})


@bp.post("/p")
def profile_login_send():
    """Mail a one-time link. The answer is the same whether the address is known or not."""
    limit("profile_ip", request.remote_addr or "-")
    try:
        address = clean_email(request.form.get("email"))
    except SignupError as exc:
        return render_template("public/profile_login.html", values=dict(request.form),
                               errors=exc.errors), 422
    limit("profile_address", address)
    contact_id = profiles.login_candidate(db.session, address, request.form.get("code"))
    if contact_id is not None:
        jobs.enqueue_subscriber_mail("login", contact_id)
    return message_page(gettext("Check your inbox"), gettext(
        "If we know this address, we have just sent it a link to your profile. "
        "The link can be used once, within the next hour."))


@bp.get("/p/login/<token>")
def profile_login_link_page(token: str):
    """Only shows a button: mail scanners that open links must not use up the link."""
    return render_template("public/button.html", title=gettext("Open your profile"),
                           button=gettext("Open my profile"))


@bp.post("/p/login/<token>")
def profile_login_link(token: str):
    contact = profiles.use_login_token(db.session, token)
    code = profiles.ensure_code(db.session, contact)
    db.session.commit()
    return _sign_in(contact.id, code)


@bp.get("/p/<code>")
def profile(code: str):
    if request.args.get("s"):  # the footer link: reusable, read-only, opens the session
        limit("profile_ip", request.remote_addr or "-")
        contact = profiles.open_with_signature(db.session, code, request.args["s"])
        return _sign_in(contact.id, profiles.normalize_code(code))
    contact = _signed_in(code)
    if contact is None:
        return redirect(url_for("public.profile_login", code=profiles.normalize_code(code)))
    return _render(contact, code)


def _render(contact: Contact, code: str, errors=None, values=None, status: int = 200):
    shown_zone = use_time_zone(contact.time_zone, contact.language)  # their local time
    return render_template(
        "public/profile.html", contact=contact, code=code, errors=errors or {},
        values=values or {}, languages=LANGUAGES, time_zones=TIME_ZONES,
        shown_zone=shown_zone,
        choices=profiles.list_choices(db.session, contact.id),
        consents=profiles.consent_history(db.session, contact.id),
        received=webview.received_messages(db.session, contact.id),
        changes=history.changes_for(db.session, contact.id)), status


def _chosen_zone(contact: Contact, zone: str | None) -> str | None:
    """None (unchanged) while the form sends back the zone shown by default."""
    if contact.time_zone is None and zone == usual_time_zone(contact.language):
        return None
    return zone


@bp.post("/p/<code>/details")
def profile_details(code: str):
    contact = _signed_in(code) or _expired()
    form = request.form
    try:
        profiles.update_profile(db.session, contact.id, first_name=form.get("first_name"),
                                last_name=form.get("last_name"), language=form.get("language"),
                                tracking_opt_out=form.get("tracking_opt_out") == "1",
                                time_zone=_chosen_zone(contact, form.get("time_zone")))
    except SignupError as exc:
        db.session.rollback()
        return _render(contact, code, exc.errors, form, 422)
    db.session.commit()
    use_language(contact.language)
    flash(gettext("Your details were saved."), "success")
    return redirect(url_for("public.profile", code=code))


@bp.post("/p/<code>/subscriptions")
def profile_subscription(code: str):
    contact = _signed_in(code) or _expired()
    try:
        profiles.switch_subscription(
            db.session, contact.id, request.form.get("list_id", type=int),
            request.form.get("channel", ""), request.form.get("on") == "1",
            evidence("subscription profile"))
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(gettext("Your subscriptions were saved."), "success")
    # no #fragment: it would stop the status message from taking the focus (autofocus)
    return redirect(url_for("public.profile", code=code))


@bp.post("/p/logout")
def profile_logout():
    cookie.pop(SESSION_KEY, None)
    return message_page(gettext("You left your profile"), gettext(
        "Your profile is closed in this browser. The link in our messages opens it again."))


@bp.get("/p/<code>/data.json")
def profile_export(code: str):
    contact = _signed_in(code) or _expired()
    body = json.dumps(webview.profile_export(db.session, contact.id), ensure_ascii=False,
                      indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-data.json"',
        "Cache-Control": "no-store"})


@bp.post("/p/<code>/erase")
def profile_erase_request(code: str):
    contact = _signed_in(code) or _expired()
    limit("profile_address", f"erase:{contact.id}")
    jobs.enqueue_subscriber_mail("erasure", contact.id)
    flash(gettext("We sent you a message. Open its link to confirm the deletion."), "success")
    return redirect(url_for("public.profile", code=code))


@bp.get("/p/erase/<token>")
def profile_erase_page(token: str):
    """Only shows a button: mail scanners that open links must not erase anyone."""
    contact = profiles.contact_for_erasure(db.session, token)
    use_language(contact.language)
    return render_template("public/button.html", title=gettext("Delete your data"),
                           text=gettext("This removes your name, address and all other "
                                        "personal data. It cannot be undone."),
                           button=gettext("Delete my data"), danger=True)


@bp.post("/p/erase/<token>")
def profile_erase(token: str):
    contact = profiles.contact_for_erasure(db.session, token)
    use_language(contact.language)
    profiles.erase(db.session, contact.id)
    db.session.commit()
    if cookie.get(SESSION_KEY) == contact.id:
        cookie.pop(SESSION_KEY)
    return message_page(gettext("Your data was deleted"), gettext(
        "We removed your personal data and will not write to you again."))


def _expired():
    """The profile session is gone (another browser, erased, expired): the 403 page says
    how to get a new link."""
    abort(403)
