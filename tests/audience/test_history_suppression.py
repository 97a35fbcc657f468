from newsletter.audience import history, suppression
from newsletter.extensions import db
from newsletter.models import Contact, Suppression


def test_update_contact_records_only_real_changes(app):
    contact = Contact(email="a@example.com", first_name="Ana")
    db.session.add(contact)
    db.session.flush()
    rows = history.update_contact(db.session, contact,
                                  {"first_name": "Anna", "language": contact.language},
                                  actor="subscriber")
    assert [(r.field, r.old_value, r.new_value) for r in rows] == [("first_name", "Ana", "Anna")]
    assert contact.first_name == "Anna"
    assert [c.actor for c in history.changes_for(db.session, contact.id)] == ["subscriber"]


def test_suppression_keeps_only_a_keyed_hash(app):
    suppression.suppress(db.session, "Gone@Example.com", suppression.Reason.ERASED)
    db.session.commit()
    stored = db.session.query(Suppression).one()
    assert "gone" not in stored.address_hash and len(stored.address_hash) == 64
    assert suppression.is_suppressed(db.session, "gone@example.com")
    assert not suppression.is_suppressed(db.session, "other@example.com")
    app.config["SUPPRESSION_KEY"] = "another key"
    assert not suppression.is_suppressed(db.session, "gone@example.com")
