"""The audit log: who did what, when, to what (review decisions, mass unsubscribes and
erasures, every download of personal data, accounts created, removed or given another
role, sender and plan-limit changes). Any package records; owners read."""

from flask_babel import lazy_gettext
from sqlalchemy import select

from newsletter.models import AuditEntry

#: action code -> what the audit page shows (the codes stay English in the log)
ACTIONS = {
    "review.held": lazy_gettext("Campaign held for review"),
    "review.approved": lazy_gettext("Campaign approved"),
    "review.rejected": lazy_gettext("Campaign rejected"),
    "review.rules": lazy_gettext("Review rules changed"),
    "sender.saved": lazy_gettext("Sender saved"),
    "sender.dkim": lazy_gettext("DKIM key generated"),
    "sender.servers": lazy_gettext("Sender's SMTP servers changed"),
    "channel.smtp_saved": lazy_gettext("SMTP server saved"),
    "channel.smtp_removed": lazy_gettext("SMTP server removed"),
    "channel.sms_saved": lazy_gettext("SMS gateway saved"),
    "channel.sms_removed": lazy_gettext("SMS gateway removed"),
    "user.created": lazy_gettext("Account created"),
    "user.role": lazy_gettext("Account role changed"),
    "user.removed": lazy_gettext("Account removed"),
    "user.invited": lazy_gettext("Account invited by mail"),
    "user.password_reset": lazy_gettext("Password link mailed"),
    "limits.changed": lazy_gettext("Plan limits changed"),
    "apikey.created": lazy_gettext("API key created"),
    "apikey.revoked": lazy_gettext("API key revoked"),
    "contacts.erase": lazy_gettext("Contacts erased"),
    "contacts.unsubscribe": lazy_gettext("Contacts unsubscribed at once"),
    "contacts.archive": lazy_gettext("Contacts archived at once"),
    "export.clickers": lazy_gettext("Who clicked exported (CSV)"),
    "export.contacts": lazy_gettext("Contacts exported (CSV)"),
    "export.consent": lazy_gettext("Consent report exported (CSV)"),
    "export.blocklist": lazy_gettext("Block list exported (CSV)"),
    "export.import_rejects": lazy_gettext("Rejected import rows downloaded (CSV)"),
}


def record(session, actor: str, action: str, subject: str, detail: str = "") -> AuditEntry:
    entry = AuditEntry(actor=actor[:254], action=action, subject=subject[:300],
                       detail=detail)
    session.add(entry)
    session.flush()
    return entry


def record_export(session, actor: str, kind: str, subject: str, rows: int,
                  detail: str = "") -> AuditEntry:
    """A download of personal data (``export.<kind>``): what, and how many rows."""
    return record(session, actor, f"export.{kind}", subject,
                  f"{rows} rows" + (f"; {detail}" if detail else ""))


def recent(session, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())
                                .limit(limit)))
