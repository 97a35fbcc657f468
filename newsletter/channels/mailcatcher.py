"""The development mail catcher: an SMTP server on loopback that keeps every message it
receives in a Maildir, which admins read at /admin/outbox."""

import mailbox
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, outbox_dir: str):
        Path(outbox_dir).parent.mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(outbox_dir, create=True)

    async def handle_DATA(self, server, session, envelope):
        msg = mailbox.MaildirMessage(envelope.original_content or envelope.content)
        msg["X-Outbox-Envelope-From"] = envelope.mail_from
        msg["X-Outbox-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.maildir.add(msg)
        return "250 Message accepted for delivery"


def start(outbox_dir: str, port: int, host: str = "127.0.0.1") -> Controller:
    controller = Controller(MaildirHandler(outbox_dir), hostname=host, port=port)
    controller.start()
    return controller


def list_messages(outbox_dir: str, limit: int = 200) -> list[dict]:
    """Newest first: key, date, from, to, subject."""
    if not Path(outbox_dir, "cur").is_dir():
        return []
    box = mailbox.Maildir(outbox_dir, create=False)
    items = []
    for key in box.iterkeys():
        msg = box.get_message(key)
        items.append({
            "key": key,
            "received": datetime.fromtimestamp(msg.get_date(), UTC),
            "from": _decoded(msg.get("From", "")),
            "to": _decoded(msg.get("X-Outbox-Envelope-To") or msg.get("To", "")),
            "subject": _decoded(msg.get("Subject", "")),
        })
    items.sort(key=lambda m: m["received"], reverse=True)
    return items[:limit]


def _decoded(value: str) -> str:
    """A header as people read it (``=?utf-8?q?Z=C4=BEava?=`` -> ``Zľava``)."""
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError):  # a broken encoded word: show it as it came
        return value


def get_message(outbox_dir: str, key: str) -> tuple[EmailMessage, bytes] | None:
    """The parsed message and its raw bytes, or None for an unknown key."""
    if not Path(outbox_dir, "cur").is_dir():
        return None
    box = mailbox.Maildir(outbox_dir, create=False)
    try:
        raw = box.get_bytes(key)
    except KeyError:
        return None
    return message_from_bytes(raw, policy=policy.default), raw


def bodies(msg: EmailMessage) -> tuple[str | None, str | None]:
    """(html, text) parts of a message, either may be None."""
    html = msg.get_body(preferencelist=("html",))
    text = msg.get_body(preferencelist=("plain",))
    return (html.get_content() if html else None, text.get_content() if text else None)
