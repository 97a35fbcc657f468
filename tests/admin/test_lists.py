import html
import re

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import ConsentRecord, Contact, MailingList, Subscription
from tests.factories import list_with_contacts


def test_create_list_and_add_contact(client, login):
    login()
    response = client.post("/admin/lists/new", data={"name": "Weekly", "visibility": "private",
                                                     "optin": "double"})
    assert response.status_code == 302
    mlist = db.session.scalar(select(MailingList))
    assert mlist.name == "Weekly" and len(mlist.key) >= 12

    response = client.post(f"/admin/lists/{mlist.id}", data={
        "email": " Jana.Novak@Example.COM ", "first_name": "Jana", "last_name": "Novák",
        "legal_basis": "consent"}, follow_redirects=True)
    assert "jana.novak@example.com is subscribed" in response.text
    assert "Novák" in response.text
    contact = db.session.scalar(select(Contact))
    assert contact.email == "jana.novak@example.com"
    sub = db.session.scalar(select(Subscription))
    assert sub.status == "confirmed" and sub.list_id == mlist.id
    consent = db.session.scalar(select(ConsentRecord))
    assert consent.legal_basis == "consent" and consent.action == "granted"
    assert "Weekly" in client.get("/admin/lists").text


def test_adding_the_same_address_twice_keeps_one_contact(client, login):
    login()
    client.post("/admin/lists/new", data={"name": "A", "visibility": "private", "optin": "single"})
    mlist = db.session.scalar(select(MailingList))
    for spelling in ("a@example.com", "A@EXAMPLE.com"):
        client.post(f"/admin/lists/{mlist.id}", data={"email": spelling, "legal_basis": "consent"})
    assert len(db.session.scalars(select(Contact)).all()) == 1
    assert len(db.session.scalars(select(Subscription)).all()) == 1


def test_bad_address_rerenders_with_field_error(client, login):
    login()
    client.post("/admin/lists/new", data={"name": "A", "visibility": "private", "optin": "single"})
    mlist = db.session.scalar(select(MailingList))
    response = client.post(f"/admin/lists/{mlist.id}", data={
        "email": "not-an-address", "first_name": "Kept", "legal_basis": "consent"})
    assert response.status_code == 422
    assert "is not a valid e-mail address" in response.text
    assert 'value="Kept"' in response.text
    assert db.session.scalar(select(Contact)) is None


def test_a_field_with_an_error_is_marked_invalid_and_tied_to_its_message(client, login):
    """The admin form macro: aria-invalid on the field with the error, aria-describedby
    naming the error's id; the other fields stay unmarked."""
    login()
    mlist = list_with_contacts(name="A")
    response = client.post(f"/admin/lists/{mlist.id}", data={
        "email": "not-an-address", "first_name": "Kept", "legal_basis": "consent"})
    tags = {m.group(1): m.group(0) for m in re.finditer(r'<input[^>]*\bid="(\w+)"[^>]*>',
                                                         response.text)}
    assert 'aria-invalid="true"' in tags["email"]
    assert 'aria-describedby="email-error"' in tags["email"]
    assert '<p class="error" id="email-error">' in response.text
    assert "aria-invalid" not in tags["first_name"]
    assert "aria-describedby" not in tags["first_name"]


def test_list_needs_a_name(client, login):
    login()
    response = client.post("/admin/lists/new", data={"name": "", "visibility": "private",
                                                     "optin": "single"})
    assert response.status_code == 422
    assert "This field is required." in response.text


def test_unknown_list_is_404_page(client, login):
    login()
    response = client.get("/admin/lists/999")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_list_fields_can_be_edited(client, login):
    login()
    mlist = list_with_contacts(name="Old")
    response = client.post(f"/admin/lists/{mlist.id}/edit", data={
        "name": "News", "description": "Monthly", "visibility": "public", "optin": "single",
        "language": "cs", "purpose": "Product news", "channels": ["email", "sms"]})
    assert response.status_code == 302
    db.session.refresh(mlist)
    assert (mlist.name, mlist.visibility, mlist.optin, mlist.language, mlist.purpose,
            mlist.channels) == ("News", "public", "single", "cs", "Product news", "email,sms")
    assert "Purpose: “Product news”" in client.get(f"/admin/lists/{mlist.id}").text


def test_the_embed_snippet_speaks_the_lists_language_whatever_the_admins_browser(
        client, login):
    """Labels, consent sentence and button of the copyable form follow the list's
    language, and the form tells the signup which language it showed."""
    from newsletter.audience import lists
    from newsletter.models import ListVisibility

    login()
    slovak = lists.create_list(db.session, "Novinky", visibility=ListVisibility.PUBLIC,
                               language="sk")
    english = lists.create_list(db.session, "News", visibility=ListVisibility.PUBLIC)
    db.session.commit()
    page = client.get(f"/admin/lists/{slovak.id}", headers={"Accept-Language": "de"}).text
    snippet = html.unescape(page.split('id="embed-snippet"', 1)[1].split("</textarea>", 1)[0])
    assert "Krstné meno (nepovinné)" in snippet and "Prihlásiť sa na odber" in snippet
    assert "Chcem dostávať „Novinky“ e-mailom." in snippet
    assert '<input type="hidden" name="language" value="sk">' in snippet
    assert '<form method="post" lang="sk"' in snippet
    page = client.get(f"/admin/lists/{english.id}", headers={"Accept-Language": "de"}).text
    snippet = page.split('id="embed-snippet"', 1)[1].split("</textarea>", 1)[0]
    assert "I want to receive" in snippet and "Subscribe" in snippet and "Abonnieren" not in snippet
