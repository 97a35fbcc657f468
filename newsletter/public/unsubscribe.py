"""Unsubscribe: /u/<token> shows what the link is about (GET and HEAD change nothing); a
POST to the same URL leaves, from the page's button or as an RFC 8058 one-click request."""

from flask import render_template, request
from flask_babel import gettext

from newsletter.audience import profiles, subscriptions
from newsletter.extensions import csrf, db
from newsletter.models import SubscriptionStatus
from newsletter.platform.i18n import use_language

from . import bp, evidence, message_page


@bp.get("/u/<token>")
def unsubscribe_page(token: str):
    extra = subscriptions.address_only(db.session, token)
    if extra is not None:  # an extra recipient typed on a campaign, not a contact
        return render_template("public/unsubscribe.html", subs=[], contact=None,
                               address=extra.address)
    contact, subs = subscriptions.unsubscribe_scope(db.session, token)
    use_language(contact.language)
    return render_template("public/unsubscribe.html", subs=subs, contact=contact)


@bp.post("/u/<token>")
@csrf.exempt  # RFC 8058: mail clients post without cookies; the signed token is the key
def unsubscribe(token: str):
    extra = subscriptions.address_only(db.session, token)
    if extra is not None:
        subscriptions.stop_address(db.session, extra)
        db.session.commit()
        return message_page(gettext("You are unsubscribed"),
                            gettext("You will receive no more messages from us."))
    contact, subs = subscriptions.unsubscribe_scope(db.session, token)
    use_language(contact.language)
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    everything = not one_click and request.form.get("everything") == "1"
    left = subscriptions.unsubscribe(
        db.session, token, everything=everything,
        evidence=evidence("one-click unsubscribe" if one_click else "unsubscribe page"))
    profile = profiles.profile_url(db.session, contact.id)  # may give it its code
    db.session.commit()
    if everything:
        text = gettext("You will receive no more messages from us.")
    elif left or subs:
        names = ", ".join(sorted({s.mailing_list.name for s in subs})) or ", ".join(left)
        text = gettext("You will receive no more messages from “%(names)s”.", names=names)
    else:
        text = gettext("You are not subscribed to anything this link is about.")
    gone = [s for s in subscriptions.unsubscribe_scope(db.session, token)[1]
            if s.status == SubscriptionStatus.UNSUBSCRIBED]
    return message_page(gettext("You are unsubscribed"), text, left=gone, profile_link=profile)
