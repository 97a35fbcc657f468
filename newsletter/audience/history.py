"""Recording changes to a contact's personal data, field by field."""

from sqlalchemy import select

from newsletter.models import Contact, ContactChange

#: Contact fields whose changes are recorded.
TRACKED_FIELDS = ("email", "phone", "first_name", "last_name", "language", "time_zone", "status",
                  "organization_id", "branch_id", "person_id", "attributes",
                  "tracking_opt_out")


def update_contact(session, contact: Contact, changes: dict, actor: str) -> list[ContactChange]:
    """Apply ``changes`` to the contact and record one history row per field that really
    changed. Returns the recorded rows (empty when nothing changed)."""
    recorded = []
    for field, new in changes.items():
        if field not in TRACKED_FIELDS:
            raise ValueError(f"{field!r} is not a tracked contact field")
        old = getattr(contact, field)
        if old == new:
            continue
        setattr(contact, field, new)
        row = ContactChange(contact_id=contact.id, field=field, actor=actor,
                            old_value=None if old is None else str(old),
                            new_value=None if new is None else str(new))
        session.add(row)
        recorded.append(row)
    session.flush()
    return recorded


def changes_for(session, contact_id: int, limit: int = 200) -> list[ContactChange]:
    return list(session.scalars(
        select(ContactChange).where(ContactChange.contact_id == contact_id)
        .order_by(ContactChange.id.desc()).limit(limit)
    ))
