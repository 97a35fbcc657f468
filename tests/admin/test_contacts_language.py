"""Contacts, lists and the erase question speak the account's language: headings, form
labels, flash messages, the domain's errors, plural forms, and the words for stored
statuses (a contact's, a subscription's, the history's fields) instead of raw codes."""

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Contact
from tests.factories import list_with_contacts


def speak(client, language: str) -> None:
    client.post("/admin/account", data={"time_zone": "UTC", "language": language})


def contact(email: str) -> Contact:
    return db.session.scalar(select(Contact).where(Contact.email == email))


def test_the_contact_pages_in_german(client, login):
    login()
    list_with_contacts("a@example.com", "b@example.com", name="Wochenbrief")
    speak(client, "de")
    a = contact("a@example.com")
    form = client.get(f"/admin/contacts/{a.id}/edit").text
    assert ">Kontakt bearbeiten</h1>" in form and "Mobiltelefon" in form
    assert ">Inaktiv</option>" in form and "Mit Ländervorwahl" in form
    # a domain error, at the field it belongs to
    taken = client.post(f"/admin/contacts/{a.id}/edit", data={
        "email": "b@example.com", "language": "de", "status": "active"})
    assert taken.status_code == 422
    assert "b@example.com gehört bereits zu einem anderen Kontakt." in taken.text
    saved = client.post(f"/admin/contacts/{a.id}/edit", data={
        "email": "a@example.com", "first_name": "Anna", "language": "de",
        "status": "archived"}, follow_redirects=True).text
    assert "Gespeichert" in saved  # the flash
    assert ">Änderungsverlauf</h2>" in saved and ">Vorname</td>" in saved
    assert '<span class="badge">archiviert</span>' in saved  # not "archived"
    assert "<td>aktiv</td><td>archiviert</td>" in saved  # the history's status change
    assert "<td>bestätigt</td>" in saved and "<td>Einwilligung</td>" in saved
    assert "<td>erteilt</td>" in saved


def test_bulk_actions_and_the_erase_question_in_german(client, login):
    login()
    list_with_contacts(*(f"u{i}@example.com" for i in range(3)))
    speak(client, "de")
    page = client.get("/admin/contacts").text
    assert "<strong>3</strong> Kontakte." in page
    assert ">Einwilligungsgrundlage</label>" in page  # the search form
    ids = list(db.session.scalars(select(Contact.id).order_by(Contact.id)))
    question = client.post("/admin/contacts/bulk", data={"ids": ids, "action": "erase"}).text
    assert ">3 Kontakte löschen?</h1>" in question and "Trotzdem löschen" in question
    refused = client.post("/admin/contacts/bulk", data={"action": "erase"},
                          follow_redirects=True).text
    assert "Markieren Sie mindestens einen Kontakt." in refused
    done = client.post("/admin/contacts/bulk", data={"ids": ids[:2], "action": "unsubscribe"},
                       follow_redirects=True).text
    assert "2 Kontakte abbestellt." in done
    one = client.post("/admin/contacts/bulk", data={"ids": ids[2:], "action": "archive"},
                      follow_redirects=True).text
    assert "1 Kontakt archiviert." in one


def test_plural_forms_follow_the_language(client, login):
    login()
    list_with_contacts(*(f"u{i}@example.com" for i in range(5)))
    ids = list(db.session.scalars(select(Contact.id).order_by(Contact.id)))
    for language, two, five in [("sk", "Vymazať 2 kontakty?", "Vymazať 5 kontaktov?"),
                                ("cs", "Vymazat 2 kontakty?", "Vymazat 5 kontaktů?"),
                                ("sl", "Izbrišem 2 stika?", "Izbrišem 5 stikov?"),
                                ("de", "2 Kontakte löschen?", "5 Kontakte löschen?")]:
        speak(client, language)
        assert two in client.post("/admin/contacts/bulk",
                                  data={"ids": ids[:2], "action": "erase"}).text, language
        assert five in client.post("/admin/contacts/bulk",
                                   data={"ids": ids, "action": "erase"}).text, language


def test_lists_and_organizations_in_slovak(client, login):
    login()
    mlist = list_with_contacts("a@example.com", name="Týždenník")
    speak(client, "sk")
    overview = client.get("/admin/lists").text
    assert ">Zoznamy</h1>" in overview and "<td>Súkromný</td>" in overview
    detail = client.get(f"/admin/lists/{mlist.id}").text
    assert ">Členovia</h2>" in detail and "<td>potvrdený</td>" in detail
    assert "Tento zoznam je súkromný" in detail and ">Pridať kontakt</button>" in detail
    form = client.get("/admin/lists/new").text
    assert ">Nový zoznam</h1>" in form and ">Názov zoznamu</label>" in form
    assert ">Dvojité potvrdenie odberu</option>" in form
    refused = client.post("/admin/lists/new", data={"name": "Zlý\nnázov", "visibility": "private",
                                                     "optin": "double", "language": "sk"})
    assert refused.status_code == 422
    assert "Názov zoznamu nemôže obsahovať zalomenia riadkov" in refused.text
    created = client.post("/admin/lists/new", data={
        "name": "Novinky", "visibility": "public", "optin": "single", "language": "sk",
        "channels": ["email"]}, follow_redirects=True).text
    assert "Viditeľnosť: Verejný" in created and "Verejná stránka na prihlásenie" in created
    organizations = client.post("/admin/organizations", data={
        "org-name": "", "org-submit": "1"})
    assert organizations.status_code == 422 and ">Nová organizácia</h2>" in organizations.text
