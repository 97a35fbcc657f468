"""Themes, templates, the outboxes, the transactional log, content review and the
composer's merge-tag errors speak the language the account chose (account page)."""

from sqlalchemy import select

from newsletter.channels.base import OutgoingMessage
from newsletter.channels.sms_outbox import SmsOutbox
from newsletter.extensions import db
from newsletter.models import Campaign, Theme
from tests.admin.test_composer import form_data
from tests.compliance.test_review import held_campaign
from tests.factories import list_with_contacts

THEME = {"name": "Hausfarben", "primary_color": "#123456", "background_color": "#ffffff",
         "text_color": "#000000", "font_family": "Verdana, Geneva, sans-serif"}


def speak(client, language):
    client.post("/admin/account", data={"time_zone": "UTC", "language": language})


def test_themes_and_templates_in_german(client, login):
    login()
    speak(client, "de")
    listing = client.get("/admin/themes").text
    assert ">Designs</h1>" in listing and ">Neues Design</a>" in listing
    assert "Noch keine Designs: Nachrichten verwenden das Standardaussehen." in listing
    assert "Newsletter (6 Blöcke)" in listing and "Ankündigung (3 Blöcke)" in listing
    form = client.get("/admin/themes/new").text
    assert ">Neues Design</h1>" in form and ">Name des Designs</label>" in form
    assert ">Hauptfarbe</label>" in form and "Überschriften, Links und Schaltflächen." in form
    assert "Georgia (Serifenschrift)</option>" in form
    assert 'title="Vorschau des Designs"' in form
    saved = client.post("/admin/themes/new", data=THEME, follow_redirects=True)
    assert "Design „Hausfarben“ gespeichert." in saved.text
    twice = client.post("/admin/themes/new", data=THEME)  # a domain error, as a flash
    assert twice.status_code == 422
    assert "Ein anderes Design hat bereits diesen Namen." in twice.text
    colour = client.post("/admin/themes/new", data={**THEME, "name": "Neu",
                                                    "primary_color": "blau"})
    assert "Die Hauptfarbe muss wie #1a5fb4 aussehen." in colour.text
    assert db.session.scalars(select(Theme)).all()[0].name == "Hausfarben"


def test_template_counts_and_theme_errors_in_slovenian_and_slovak(client, login):
    login()
    speak(client, "sl")
    assert "E-novice (6 blokov)" in client.get("/admin/themes").text
    speak(client, "sk")
    page = client.get("/admin/themes").text
    assert ">Vzhľady</h1>" in page and "Oznámenie (3 bloky)" in page


def test_merge_tag_errors_of_the_composer_in_slovak(client, login):
    login()
    speak(client, "sk")
    mlist = list_with_contacts("a@example.com")
    response = client.post("/admin/campaigns/new", data=form_data(mlist, **{
        "blocks-0-type": "text", "blocks-0-text": "<p>Hi {{ firstname }}</p>"}))
    assert response.status_code == 422
    assert "Obsah: neznáma personalizačná značka {{ firstname }}" in response.text
    button = client.post("/admin/campaigns/new", data=form_data(mlist, **{
        "blocks-0-type": "button", "blocks-0-label": "", "blocks-0-url": "https://x.example"}))
    assert "Tlačidlo 1: zadajte text tlačidla." in button.text
    assert db.session.scalar(select(Campaign)) is None


def test_outboxes_in_slovak_with_plural_parts(client, login, app):
    login()
    speak(client, "sk")
    page = client.get("/admin/outbox").text
    assert ">Odoslaná pošta</h1>" in page and ">Odoslané SMS</a>" in page
    assert "Zatiaľ žiadne správy." in page
    key = SmsOutbox(app.config["SMS_OUTBOX_DIR"]).send(OutgoingMessage(
        sender="", recipient="+421905123456", data=("Ahoj " * 60).encode())).split()[1]
    sms = client.get("/admin/outbox/sms").text
    assert ">Odoslané SMS</h1>" in sms and "číslo operátora" in sms
    one = client.get(f"/admin/outbox/sms/{key}").text
    assert ">SMS na +421905123456</h1>" in one and ">2 časti</h2>" in one
    assert "300 znakov" in one


def test_transactional_log_in_czech_shows_state_labels(client, login):
    login()
    speak(client, "cs")
    page = client.get("/admin/transactional?state=failed").text
    assert ">Transakční pošta</h1>" in page and "Zatím žádná transakční pošta." in page
    assert "Nejnovější zprávy (Neúspěšné)" in page and ">Ve frontě</a>" in page


def test_content_review_in_german(client, login, worker, smtp_server):
    campaign = held_campaign(client, login)
    client.post("/admin/logout")
    login("reviewer")
    speak(client, "de")
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert ">Zur Prüfung zurückgehalten</h2>" in page
    assert "<strong>Kratom</strong> – reiner Text:" in page  # where the finding is
    assert ">Freigeben</button>" in page and ">Ablehnen</button>" in page
    assert "Begründung oder Nachricht an die Redaktion" in page
    refused = client.post(f"/admin/campaigns/{campaign.id}/review/approve",
                          data={"note": ""}, follow_redirects=True)
    assert "Geben Sie eine Begründung an (Freigabe)" in refused.text
    client.post(f"/admin/campaigns/{campaign.id}/review/approve", data={"note": "Gut"})
    approved = client.get(f"/admin/campaigns/{campaign.id}").text
    assert ">Freigegeben</h2>" in approved and "Entscheidung: reviewer@example.com" in approved


def test_review_rules_and_spam_score_screens_in_german(client, login):
    login("owner")
    speak(client, "de")
    rules = client.get("/admin/review-rules").text
    assert ">Regeln der Inhaltsprüfung</h1>" in rules and ">Neue Kategorie</h2>" in rules
    assert ">Zu prüfender Text</label>" in rules and ">Name der Kategorie</label>" in rules
    tried = client.post("/admin/review-rules/try", data={"text": "Guten Tag"}).text
    assert "Keine Kategorie trifft zu" in tried
    saved = client.post("/admin/review-rules", data={
        "key": "test", "name": "Test", "patterns": "xyz*", "active": "y"},
        follow_redirects=True)
    assert "Kategorie test gespeichert." in saved.text
