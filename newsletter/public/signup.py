"""Signup: the hosted page per public list (also the target of embedded forms) and the
double opt-in confirmation."""

from flask import abort, render_template, request
from flask_babel import force_locale, get_locale, gettext

from newsletter import jobs
from newsletter.audience import profiles, subscriptions
from newsletter.audience.subscriptions import ListNotFound, SignupError
from newsletter.extensions import csrf, db
from newsletter.platform.i18n import best_language, use_fallback_language, use_language

from . import bp, evidence, message_page
from .looks import public_look


def _list_or_404(key: str):
    try:
        mlist = subscriptions.public_list(db.session, key)
    except ListNotFound:
        abort(404)
    use_fallback_language(mlist.language)  # for browsers that ask for none of ours
    return mlist


@bp.get("/subscribe/<key>")
def subscribe_page(key: str):
    return _form(_list_or_404(key), {}, {})


@bp.post("/subscribe/<key>")
@csrf.exempt  # embedded forms post here from other sites, without our session or token
def subscribe(key: str):
    mlist = _list_or_404(key)
    use_language(request.form.get("language"))  # an embed form may say which language it shows
    source = f"signup form {request.referrer or ''}".strip()[:200]
    try:
        result = subscriptions.signup_from_form(db.session, mlist, request.form,
                                                language=str(get_locale()),
                                                evidence=evidence(source))
    except SignupError as exc:
        db.session.rollback()
        return _form(mlist, request.form, exc.errors, 422)
    _, title, text = subscriptions.signup_answer(mlist)  # the same for every address
    look = public_look(mlist)  # the list's theme: read before the commit, as the answer
    db.session.commit()
    jobs.confirm_signup(result)
    return message_page(title, text, page_look=look)


def _form(mlist, values, errors, status: int = 200):
    return render_template(
        "public/subscribe.html", mlist=mlist, values=values, errors=errors,
        consent_text=subscriptions.consent_text(mlist),
        consent_version=subscriptions.consent_version(mlist)), status


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    """Only shows the button: mail scanners that open links must not confirm. A used link
    says so (InvalidToken), without the way to the profile."""
    sub, _ = subscriptions.pending_confirmation(db.session, token)
    use_language(sub.contact.language)
    return render_template("public/confirm.html", mlist=sub.mailing_list)


@bp.post("/confirm/<token>")
def confirm(token: str):
    """Only the request that confirms gets the profile link; a used link is refused."""
    sub = subscriptions.confirm(db.session, token, evidence("double opt-in confirmation"))
    use_language(sub.contact.language)
    url = profiles.profile_url(db.session, sub.contact_id)
    db.session.commit()
    return message_page(gettext("Subscription confirmed"),
                        gettext("Thank you. You will receive “%(name)s”.",
                                name=sub.mailing_list.name), profile_link=url)


@bp.app_template_global()
def signup_consent(mlist) -> tuple[str, str]:
    """(consent text, its version) for the embed snippet on the admin list page."""
    return subscriptions.consent_text(mlist), subscriptions.consent_version(mlist)


@bp.app_template_global()
def embed_snippet(mlist) -> str:
    """The plain-HTML signup form for another site (the admin list page shows it to copy):
    labels, consent text and button in the list's language, whoever's browser asks, and a
    hidden field that makes the signup (and its answer page) use that language too."""
    with force_locale(best_language(mlist.language)):
        return render_template("public/embed_snippet.html", mlist=mlist)
