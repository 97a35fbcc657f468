"""Polling a mailbox (IMAP or POP3) that collects bounces, for setups where the MTA cannot
forward them to the inbound listener. BOUNCE_MAILBOX_URL names it:
``imaps://user:password@host/INBOX``, ``imap://...`` (STARTTLS when offered),
``pop3s://user:password@host``, ``pop3://...``. Processed messages are deleted."""

import contextlib
import imaplib
import poplib
import re
import ssl
from dataclasses import dataclass
from email import message_from_bytes
from urllib.parse import unquote, urlsplit

from newsletter.config import ConfigError

from . import dsn

VERP = re.compile(r"bounces\+[0-9a-fA-F]+-[0-9a-fA-F]{12}@[^\s>,;]+")
#: Headers a delivering MTA uses to keep the envelope recipient.
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")


@dataclass(frozen=True)
class Mailbox:
    protocol: str  # imap | pop3
    tls: bool
    host: str
    port: int
    username: str
    password: str
    folder: str = "INBOX"


def parse_url(url: str) -> Mailbox:
    parts = urlsplit(url)
    defaults = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}
    if parts.scheme not in defaults or not parts.hostname or not parts.username:
        raise ConfigError(f"BOUNCE_MAILBOX_URL {url!r} is not valid; use e.g. "
                          "imaps://user:password@mail.example.com/INBOX or pop3s://...")
    return Mailbox(parts.scheme.rstrip("s"), parts.scheme.endswith("s"), parts.hostname,
                   parts.port or defaults[parts.scheme], unquote(parts.username),
                   unquote(parts.password or ""), unquote(parts.path.strip("/")) or "INBOX")


def recipient_of(raw: bytes) -> str | None:
    """The VERP address a bounce was sent to, from the headers the MTA left."""
    msg = message_from_bytes(raw)
    for header in RECIPIENT_HEADERS:
        for value in msg.get_all(header) or []:
            found = VERP.search(str(value))
            if found:
                return found.group(0)
    return None


def poll(session, url: str, soft_limit: int) -> dict[str, int]:
    """Process every message in the mailbox; returns counts per outcome."""
    box = parse_url(url)
    counts = {dsn.Outcome.HARD: 0, dsn.Outcome.SOFT: 0, dsn.Outcome.COMPLAINT: 0,
              dsn.Outcome.IGNORED: 0}

    def handle(raw: bytes) -> None:
        recipient = recipient_of(raw)
        outcome = dsn.process(session, recipient, raw, soft_limit) if recipient \
            else dsn.Outcome.IGNORED
        session.commit()
        counts[outcome] += 1

    (_poll_imap if box.protocol == "imap" else _poll_pop3)(box, handle)
    return counts


def _poll_imap(box: Mailbox, handle) -> None:
    context = ssl.create_default_context()
    conn = imaplib.IMAP4_SSL(box.host, box.port, ssl_context=context) if box.tls \
        else imaplib.IMAP4(box.host, box.port)
    try:
        if not box.tls and "STARTTLS" in conn.capabilities:
            conn.starttls(ssl_context=context)
        conn.login(box.username, box.password)
        conn.select(box.folder)
        _, data = conn.search(None, "ALL")
        for number in data[0].split():
            _, parts = conn.fetch(number, "(RFC822)")
            handle(parts[0][1])
            conn.store(number, "+FLAGS", "\\Deleted")
        conn.expunge()
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()


def _poll_pop3(box: Mailbox, handle) -> None:
    conn = poplib.POP3_SSL(box.host, box.port, context=ssl.create_default_context()) \
        if box.tls else poplib.POP3(box.host, box.port)
    try:
        conn.user(box.username)
        conn.pass_(box.password)
        count, _ = conn.stat()
        for number in range(1, count + 1):
            _, lines, _ = conn.retr(number)
            handle(b"\r\n".join(lines) + b"\r\n")
            conn.dele(number)
    finally:
        conn.quit()
