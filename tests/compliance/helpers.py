"""Builders for the compliance tests: contacts without a recorded basis, fresh imports."""

from newsletter.extensions import db
from newsletter.models import Contact, ContactImport, Subscription, SubscriptionStatus, utcnow


def without_basis(mlist, email: str) -> Contact:
    """A confirmed subscriber with no consent record (e.g. written by an old integration)."""
    contact = Contact(email=email)
    db.session.add(contact)
    db.session.flush()
    db.session.add(Subscription(contact_id=contact.id, list_id=mlist.id,
                                status=SubscriptionStatus.CONFIRMED, confirmed_at=utcnow()))
    db.session.commit()
    return contact


def imported_today(mlist) -> ContactImport:
    imp = ContactImport(list_id=mlist.id, filename="today.csv", format="csv")
    db.session.add(imp)
    db.session.commit()
    return imp
