"""Mail to subscribers about their own subscriptions (double opt-in confirmation or the
notice that an address is already subscribed, profile login link, erasure confirmation), in
the subscriber's language. The jobs in ``newsletter.jobs`` build and send it in the worker,
after the web commit."""

import logging
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select

from newsletter.channels.base import Messenger, OutgoingMessage, PermanentFailure
from newsletter.channels.headers import header_value
from newsletter.config import DEFAULT_MAIL_FROM
from newsletter.models import Contact, ContactStatus, SenderIdentity, Subscription
from newsletter.platform.i18n import best_language
from newsletter.texts import N_

from . import profiles, subscriptions

log = logging.getLogger(__name__)


#: CRLF line ends and 7-bit bodies, so any server takes the message.
WIRE = policy.SMTP.clone(cte_type="7bit")


#: the HTML part's button for each mail's link
BUTTONS = {"confirm": N_("Confirm my subscription"), "login": N_("Open my profile"),
           "erasure": N_("Delete my data"), "already_subscribed": N_("Open")}


def _compose(session, to: str, language: str, subject: str, template: str,
             **context) -> EmailMessage:
    """``subject`` is a msgid translated here, in the recipient's language. Every header
    value passes ``header_value`` (folding only: email.message encodes), so a list's name
    in the subject cannot add a header."""
    with force_locale(best_language(language)):
        sender = _mail_from(session)
        domain = parseaddr(sender)[1].rpartition("@")[2]
        headers = {"From": sender, "To": to,
                   "Subject": gettext(subject, **context),
                   "Date": format_datetime(datetime.now(UTC)),
                   "Message-ID": make_msgid(domain=domain or "localhost"),
                   "Auto-Submitted": "auto-generated"}
        msg = EmailMessage()
        for name, value in headers.items():
            msg[name] = header_value(value, encode=False)
        text = render_template(f"public/mail/{template}.txt", **context)
        msg.set_content(text)
        msg.add_alternative(render_template(
            "public/mail/layout.html", language=best_language(language),
            subject=headers["Subject"], url=context.get("url"), button=gettext(BUTTONS[template]),
            paragraphs=[p.strip() for p in text.split("\n\n") if p.strip()]), subtype="html")
        # after set_content, which resets it
        msg["Content-Language"] = header_value(best_language(language), encode=False)
    return msg


def _mail_from(session) -> str:
    """MAIL_FROM when it is set; else the first sender identity (a real address of the
    organization), not the placeholder newsletter@localhost."""
    configured = current_app.config["MAIL_FROM"]
    if configured != DEFAULT_MAIL_FROM:
        return configured
    sender = session.scalar(select(SenderIdentity).order_by(SenderIdentity.id).limit(1))
    return formataddr((sender.from_name, sender.from_email)) if sender else configured


def _reachable(contact: Contact | None) -> bool:
    """Mail queued before an erasure (or a deletion) is dropped, not sent to nobody."""
    return contact is not None and bool(contact.email) \
        and contact.status != ContactStatus.ERASED


def confirmation_message(session, subscription_id: int,
                         text_version: str) -> EmailMessage | None:
    """The confirmation link; for an address already on the list (someone signed it up
    again) a notice that nothing changed instead, so the signup answer can be the same
    for every address and the address still learns what happened."""
    sub = session.get(Subscription, subscription_id)
    if sub is None or not _reachable(sub.contact):
        return None
    if not subscriptions.needs_confirmation(session, sub):
        return _compose(session, sub.contact.email, sub.contact.language,
                        N_("You are already subscribed to %(name)s"), "already_subscribed",
                        name=sub.mailing_list.name, contact=sub.contact)
    token = subscriptions.confirmation_token(sub.id, text_version)
    return _compose(session, sub.contact.email, sub.contact.language,
                    N_("Please confirm your subscription to %(name)s"), "confirm",
                    name=sub.mailing_list.name, contact=sub.contact,
                    url=subscriptions.absolute_url(f"/confirm/{token}"))


def login_message(session, contact_id: int) -> EmailMessage | None:
    return _contact_message(session, contact_id, N_("Your link to your subscription profile"),
                            "login", f"/p/login/{profiles.login_token(contact_id)}")


def erasure_message(session, contact_id: int) -> EmailMessage | None:
    return _contact_message(session, contact_id, N_("Confirm the deletion of your data"),
                            "erasure", f"/p/erase/{profiles.erasure_token(contact_id)}")


def _contact_message(session, contact_id: int, subject: str, template: str,
                     path: str) -> EmailMessage | None:
    contact = session.get(Contact, contact_id)
    if not _reachable(contact):
        return None
    return _compose(session, contact.email, contact.language, subject, template, contact=contact,
                    url=subscriptions.absolute_url(path))


def send(messenger: Messenger, message: EmailMessage | None) -> None:
    """Temporary failures raise (RQ retries the job); a permanent refusal is logged, as
    retrying cannot help."""
    if message is None:
        return
    envelope = OutgoingMessage(parseaddr(message["From"])[1], parseaddr(message["To"])[1],
                               message.as_bytes(policy=WIRE))
    try:
        messenger.send(envelope)
    except PermanentFailure as exc:
        log.warning("subscriber mail to %s refused: %s", message["To"], exc)
