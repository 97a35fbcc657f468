"""Accounts that set their own password: an owner invites a person by mail (the account
exists at once, with a random password nobody knows, until the invitee sets one through
the mailed link), or sends an existing account a link to set a new password.

The link is signed for its purpose (``Purpose.ACCOUNT``), lasts LINK_HOURS and works
once: it names the account's session version, and setting the password bumps it (which
also ends every session of the account). Opening the link (GET) only shows the form."""

import secrets
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale, gettext, lazy_gettext

from newsletter.channels.headers import header_value
from newsletter.errors import DomainError
from newsletter.models import Role, User

from . import accounts, audit, tokens
from .i18n import best_language
from .tokens import Purpose

LINK_HOURS = 72
INVITE, RESET = "invite", "reset"
SUBJECTS = {INVITE: lazy_gettext("You are invited to the newsletter admin"),
            RESET: lazy_gettext("Set a new password for the newsletter admin")}


def invite_user(session, actor_id: int, actor_password: str, email: str, role: str,
                **lockout) -> User:
    """An owner invites ``email`` as ``role`` (confirmed with the owner's own password, as
    adding an account is); the caller commits, then mails the link (kind INVITE)."""
    user = accounts.add_user(session, actor_id, actor_password, email, role,
                             secrets.token_urlsafe(32), **lockout)
    # the invitation mail and the first pages speak the inviting owner's language; the
    # invitee can choose another on their account page
    user.language = session.get(User, actor_id).language or user.language
    audit.record(session, _owner_email(session, actor_id), "user.invited", user.email,
                 f"role {user.role}")
    return user


def request_reset(session, actor_id: int, user_id: int) -> User:
    """An owner has a link to set a new password mailed to an active account (its old
    password keeps working until a new one is set); the caller commits, then mails it."""
    actor = session.get(User, actor_id)
    if actor is None or actor.role != Role.OWNER or not actor.active:
        raise accounts.NotAllowed()
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise DomainError(gettext("That account does not exist or was removed."))
    audit.record(session, actor.email, "user.password_reset", user.email,
                 "a link to set a new password was mailed")
    return user


def link_token(user: User) -> str:
    return tokens.sign(Purpose.ACCOUNT, {"u": user.id, "v": user.session_version})


def user_for(session, token: str) -> User:
    """The account a link is for; InvalidToken when it is forged, expired (LINK_HOURS),
    used (the password was set since) or the account was removed."""
    payload = tokens.verify(Purpose.ACCOUNT, token, max_age=LINK_HOURS * 3600)
    if not isinstance(payload, dict):
        raise tokens.InvalidToken()
    user = session.get(User, payload.get("u"))
    if user is None or not user.active or payload.get("v") != user.session_version:
        raise tokens.InvalidToken()
    return user


def set_password(session, token: str, password: str) -> User:
    """Use the link: the account's new password (the link stops working)."""
    user = user_for(session, token)
    return accounts.set_password(session, user.id, password)


def message(session, user_id: int, kind: str) -> EmailMessage | None:
    """The mail with the link (None when the account is gone meanwhile)."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    with force_locale(best_language(user.language)):  # the recipient's admin language
        return _message(user, kind)


def _message(user: User, kind: str) -> EmailMessage:
    config = current_app.config
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    msg = EmailMessage()
    for name, value in {
            "From": config["MAIL_FROM"], "To": user.email, "Subject": str(SUBJECTS[kind]),
            "Date": format_datetime(datetime.now(UTC)),
            "Message-ID": make_msgid(domain=domain),
            "Auto-Submitted": "auto-generated"}.items():
        msg[name] = header_value(value, encode=False)
    base = config["BASE_URL"].rstrip("/")
    msg.set_content(render_template(
        "admin/mail/account.txt", kind=kind, user=user, hours=LINK_HOURS, site=base,
        url=f"{base}/admin/password/{link_token(user)}"))
    return msg


def _owner_email(session, actor_id: int) -> str:
    return session.get(User, actor_id).email
