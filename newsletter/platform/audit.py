"""The audit log: who did what, when, to what (review decisions, mass unsubscribes and
erasures, exports, role changes, sender changes). Any package records; owners read."""

from sqlalchemy import select

from newsletter.models import AuditEntry

ACTIONS = {
    "review.held": "Campaign held for review",
    "review.approved": "Campaign approved",
    "review.rejected": "Campaign rejected",
    "review.rules": "Review rules changed",
    "sender.saved": "Sender saved",
    "sender.dkim": "DKIM key generated",
    "user.created": "Account created",
    "limits.changed": "Plan limits changed",
    "contacts.erase": "Contacts erased",
    "contacts.unsubscribe": "Contacts unsubscribed at once",
    "contacts.archive": "Contacts archived at once",
    "stats.clickers_export": "Who clicked exported",
}


def record(session, actor: str, action: str, subject: str, detail: str = "") -> AuditEntry:
    entry = AuditEntry(actor=actor[:254], action=action, subject=subject[:300],
                       detail=detail)
    session.add(entry)
    session.flush()
    return entry


def recent(session, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())
                                .limit(limit)))
