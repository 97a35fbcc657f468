"""Typed phone fields of a contact: E.164, never guessed, every change in the history."""

import pytest
from sqlalchemy import select

from newsletter.audience import contacts, phones
from newsletter.extensions import db
from newsletter.models import Contact, ContactChange
from tests.factories import list_with_contacts


@pytest.fixture
def contact(app):
    list_with_contacts("a@example.sk")
    return db.session.scalar(select(Contact))


def test_typed_phones_are_stored_in_e164_with_history(contact):
    phones.set_phones(db.session, contact.id, {"mobile": "+421 905 123 456",
                                               "work": "+420 212 345 678"}, "editor:x")
    db.session.commit()
    assert phones.phones_of(db.session, contact.id) == {"mobile": "+421905123456",
                                                        "work": "+420212345678"}
    changed = phones.set_phones(db.session, contact.id, {"mobile": "+421905123456",
                                                         "work": ""}, "editor:y")
    db.session.commit()
    assert [(c.field, c.old_value, c.new_value) for c in changed] == [
        ("phone_work", "+420212345678", None)]
    assert phones.phones_of(db.session, contact.id) == {"mobile": "+421905123456"}
    history = db.session.scalars(select(ContactChange.field).where(
        ContactChange.contact_id == contact.id).order_by(ContactChange.id)).all()
    assert history == ["phone_mobile", "phone_work", "phone_work"]


def test_a_phone_without_country_code_is_refused_on_its_field(contact):
    fields = {"email": "a@example.sk", "phone_mobile": "+421905123456",
              "phone_home": "0905 123 456"}
    with pytest.raises(contacts.ContactError, match="needs a country code") as info:
        contacts.update(db.session, contact.id, fields, actor="editor:x")
    assert info.value.field == "phone_home"
    db.session.rollback()
    assert phones.phones_of(db.session, contact.id) == {}


def test_the_edit_form_keeps_typed_phones(client, login, contact):
    login()
    base = {"email": "a@example.sk", "language": "sk", "status": "active"}
    response = client.post(f"/admin/contacts/{contact.id}/edit",
                           data={**base, "phone_mobile": "+421 905 123 456",
                                 "phone_work": "0905"})
    assert response.status_code == 422
    assert "needs a country code" in response.text
    assert 'value="+421 905 123 456"' in response.text  # nothing typed is lost
    response = client.post(f"/admin/contacts/{contact.id}/edit",
                           data={**base, "phone_mobile": "+421 905 123 456"})
    assert response.status_code == 302
    page = client.get(f"/admin/contacts/{contact.id}/edit").text
    assert 'value="+421905123456"' in page
    assert "+421905123456" in client.get(f"/admin/contacts/{contact.id}").text
