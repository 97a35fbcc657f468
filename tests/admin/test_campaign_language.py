"""The campaign screens (page, composer, confirmations, A/B test, local time, follow-up)
follow the language the account chose: headings, form labels, flash messages, the domain's
errors, plural forms and the words the page hands to its scripts."""

import html
import re

from newsletter.extensions import db
from newsletter.models import Campaign
from tests.factories import draft, list_with_contacts


def choose(client, language: str) -> None:
    client.post("/admin/account", data={"time_zone": "UTC", "language": language})


def test_a_german_account_gets_the_campaign_page_and_composer_in_german(client, login):
    login()
    choose(client, "de")
    campaign = draft(list_with_contacts("a@example.com", "b@example.com", "c@example.com"),
                     subject="Juni")
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert ">Vor dem Versand</h2>" in page  # the pre-send checklist
    assert ">Vorschau</a>" in page and ">Testversand</a>" in page
    assert ">Zustellung nach Ortszeit</h2>" in page and ">A/B-Test</h2>" in page
    assert ">Später senden</summary>" in page and "Senden um (Ihre Zeit, UTC)" in page
    # the live status script gets its words from the page, in German
    assert 'data-msg-no-worker="Es läuft kein Worker: Bis einer startet' in page
    statuses = html.unescape(re.search(r'data-statuses="([^"]*)"', page)[1])
    assert '"paused": "pausiert"' in statuses and '"draft": "Entwurf"' in statuses

    form = client.get("/admin/campaigns/new").text
    assert ">Neue Kampagne</h1>" in form
    assert ">Vorschauzeile</label>" in form and "Den Namen sehen nur Redakteure." in form
    assert ">Entwurf speichern</button>" in form and ">Nur-Text-Version</summary>" in form
    assert 'data-msg-pending="Änderungen noch nicht gespeichert …"' in form

    question = client.get(f"/admin/campaigns/{campaign.id}/confirm-send").text
    assert "„Test campaign“ an 3 Empfänger senden?" in question  # plural
    assert ">Jetzt an alle Empfänger senden</button>" in question


def test_german_flash_messages_and_domain_errors(client, login):
    login()
    choose(client, "de")
    campaign = draft(list_with_contacts("a@example.com", "b@example.com"))
    page = client.post(f"/admin/campaigns/{campaign.id}/pause", follow_redirects=True).text
    # the domain's error, with the status named in German
    assert "Die Kampagne hat den Status „Entwurf“; sie kann nicht pausiert werden." in page

    client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"})
    page = client.post(f"/admin/campaigns/{campaign.id}/pause", follow_redirects=True).text
    assert "Pausiert: Der Versand stoppt nach der gerade laufenden Nachricht." in page
    assert 'id="campaign-status">pausiert</span>' in page
    question = client.get(f"/admin/campaigns/{campaign.id}/cancel").text
    assert "„Test campaign“ abbrechen?" in question
    assert "2 noch nicht versendete Nachrichten werden nie versendet" in question
    page = client.post(f"/admin/campaigns/{campaign.id}/cancel", data={"confirmed": "1"},
                       follow_redirects=True).text
    assert "Abgebrochen: 2 Nachrichten werden nicht versendet." in page
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "cancelled"


def test_a_slovak_account_gets_form_errors_and_plurals_in_slovak(client, login):
    login()
    choose(client, "sk")
    campaign = draft(list_with_contacts("a@example.com", "b@example.com", "c@example.com"))
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule", data={},
                       follow_redirects=True).text
    assert "Zadajte dátum a čas alebo oneskorenie." in page  # the form's own check

    ab = client.post(f"/admin/campaigns/{campaign.id}/ab-test",
                     data={"subject_1": "Jedna", "sample_percent": "20",
                           "wait_minutes": "240", "metric": "clicks"})
    assert ab.status_code == 422
    assert ">A/B test predmetu</h1>" in ab.text and ">Predmet A</label>" in ab.text
    assert "Zadajte aspoň dva predmety na porovnanie." in ab.text

    local = client.post(f"/admin/campaigns/{campaign.id}/local-time",
                        data={"local_send_time": "25:00"})
    assert local.status_code == 422
    assert "Zadajte čas vo formáte HH:MM, napr. 09:00." in local.text
    assert ">Doručenie v miestnom čase</h1>" in local.text

    page = client.post(f"/admin/campaigns/{campaign.id}/schedule",
                       data={"delay_minutes": "30", "confirm_warnings": "y"}).text
    assert "Dnes by odišla 3 príjemcom" in page  # plural (2-4)
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule",
                       data={"delay_minutes": "30", "confirm_warnings": "y", "confirmed": "1"},
                       follow_redirects=True).text
    assert "Naplánované na" in page
    page = client.post(f"/admin/campaigns/{campaign.id}/unschedule",
                       follow_redirects=True).text
    assert "Naplánovanie zrušené: kampaň je opäť konceptom" in page


def test_a_czech_account_gets_the_composer_pages_in_czech(client, login):
    login()
    choose(client, "cs")
    campaign = draft(list_with_contacts("a@example.com"))
    files = client.get(f"/admin/campaigns/{campaign.id}/files").text
    assert ">Soubory kampaně „Test campaign“</h1>" in files and ">Žádné přílohy.</p>" in files
    test = client.get(f"/admin/campaigns/{campaign.id}/test").text
    assert ">Testovací odeslání „Test campaign“</h1>" in test and ">Odeslat test</button>" in test
    preview = client.get(f"/admin/campaigns/{campaign.id}/preview").text
    assert ">Čistě textová verze</h2>" in preview
