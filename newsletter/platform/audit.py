"""The audit log: who did what, when, to what (review decisions, mass unsubscribes and
erasures, every download of personal data, accounts created, removed or given another
role, sender and plan-limit changes). Any package records; owners read."""

from sqlalchemy import select

from newsletter.models import AuditEntry

ACTIONS = {
    "review.held": "Campaign held for review",
    "review.approved": "Campaign approved",
    "review.rejected": "Campaign rejected",
    "review.rules": "Review rules changed",
    "sender.saved": "Sender saved",
    "sender.dkim": "DKIM key generated",
    "sender.servers": "Sender's SMTP servers changed",
    "channel.smtp_saved": "SMTP server saved",
    "channel.smtp_removed": "SMTP server removed",
    "channel.sms_saved": "SMS gateway saved",
    "channel.sms_removed": "SMS gateway removed",
    "user.created": "Account created",
    "user.role": "Account role changed",
    "user.removed": "Account removed",
    "user.invited": "Account invited by mail",
    "user.password_reset": "Password link mailed",
    "limits.changed": "Plan limits changed",
    "apikey.created": "API key created",
    "apikey.revoked": "API key revoked",
    "contacts.erase": "Contacts erased",
    "contacts.unsubscribe": "Contacts unsubscribed at once",
    "contacts.archive": "Contacts archived at once",
    "export.clickers": "Who clicked exported (CSV)",
    "export.contacts": "Contacts exported (CSV)",
    "export.consent": "Consent report exported (CSV)",
    "export.blocklist": "Block list exported (CSV)",
    "export.import_rejects": "Rejected import rows downloaded (CSV)",
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
