"""Helpers for the self-service tests: public lists, reading links out of real mail."""

import re
from email import message_from_bytes, policy

from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.models import ListVisibility, OptIn

LINK = re.compile(r"https?://\S+")


def public_list(name="Weekly news", optin=OptIn.DOUBLE, **fields):
    mlist = lists.create_list(db.session, name, visibility=ListVisibility.PUBLIC,
                                 optin=optin, **fields)
    db.session.commit()
    return mlist


def mails_to(smtp_server, address):
    return [message_from_bytes(m.data, policy=policy.default)
            for m in smtp_server.messages if address in m.rcpt_tos]


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message, path_prefix: str) -> str:
    """The path (with query) of the first link in the mail whose path starts with the
    prefix, e.g. "/confirm/"."""
    for url in LINK.findall(body(message)):
        path = re.sub(r"^https?://[^/]+", "", url)
        if path.startswith(path_prefix):
            return path
    raise AssertionError(f"no {path_prefix} link in:\n{body(message)}")
