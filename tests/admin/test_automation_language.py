"""The automation, statistics and SMS screens speak the account's language: headings,
form labels, flash messages, domain errors and plurals (German, Slovak, Czech and
Slovenian accounts; the English wording is covered by the screens' own tests)."""

from newsletter.automation import recurring, sequences
from newsletter.extensions import db
from newsletter.models import RecurringSeries, Sequence
from newsletter.models.base import utcnow
from tests.automation.sequence_helpers import DAY, sequence
from tests.factories import draft, list_with_contacts
from tests.sms.test_admin import form as sms_form
from tests.sms.test_admin import make_list


def speak(client, language):
    client.post("/admin/account", data={"time_zone": "UTC", "language": language})


def test_recurring_series_in_german(client, login):
    template = draft(list_with_contacts("a@example.com"), subject="Weekly")
    login("owner")
    speak(client, "de")
    page = client.get(f"/admin/recurring/new?campaign={template.id}")
    assert ">Neue wiederkehrende Serie</h1>" in page.text
    assert "Name der Serie" in page.text and "Zeitplan (cron)" in page.text
    assert "Der Entwurf, den jeder Lauf kopiert" in page.text
    bad = client.post("/admin/recurring/new", data={
        "name": "Weekly", "template": str(template.id), "cron": "mondays at nine",
        "timezone": "Europe/Berlin"})
    assert "ist kein Cron-Ausdruck" in bad.text
    saved = client.post("/admin/recurring/new", data={
        "name": "Weekly", "template": str(template.id), "cron": "0 9 * * 1",
        "timezone": "Europe/Berlin"}, follow_redirects=True)
    assert "Serie „Weekly“ gespeichert; nächster Lauf" in saved.text
    assert "Nächster Lauf: <strong>" in saved.text and "Noch keine Läufe." in saved.text
    series = db.session.query(RecurringSeries).one()
    paused = client.post(f"/admin/recurring/{series.id}/pause", follow_redirects=True)
    assert "Serie pausiert: Bis Sie sie fortsetzen, gibt es keine Läufe." in paused.text
    assert ">Serie fortsetzen</button>" in paused.text
    listing = client.get("/admin/recurring")
    assert ">Wiederkehrende Kampagnen</h1>" in listing.text and "pausiert" in listing.text


def test_sequences_in_german_with_a_domain_error_and_a_plural(client, login):
    mlist = list_with_contacts("a@example.com", name="Kunden")
    login()
    speak(client, "de")
    page = client.get("/admin/sequences/new")
    assert ">Neue Sequenz</h1>" in page.text and "Name der Sequenz" in page.text
    assert "Ein Kontakt bestätigt die Liste" in page.text
    saved = client.post("/admin/sequences/new", data={
        "name": "Willkommen", "list_id": str(mlist.id), "trigger": "confirmation",
        "segment_id": "0", "date_attribute": ""}, follow_redirects=True)
    assert ("Sequenz „Willkommen“ gespeichert. Fügen Sie jetzt den ersten Schritt hinzu."
            in saved.text)
    empty = db.session.query(Sequence).one()
    refused = client.post(f"/admin/sequences/{empty.id}/activate", follow_redirects=True)
    assert "Fügen Sie vor dem Aktivieren mindestens einen Schritt hinzu." in refused.text
    made = sequence(mlist, (0, "Hallo"), (3 * DAY, "Tipps"), name="Drip")
    steps = client.get(f"/admin/sequences/{made.id}")
    assert "sofort nach der Aufnahme" in steps.text
    assert "3 Tage nach dem vorigen Schritt" in steps.text
    assert ">Sequenz pausieren<" not in steps.text and "Sequenz aktivieren" in steps.text
    assert "Willkommens- und Drip-Sequenzen" in client.get("/admin/sequences").text


def test_slovenian_delay_plurals(client, login):
    mlist = list_with_contacts("a@example.com")
    made = sequence(mlist, (2 * DAY, "Pozdrav"), (5 * 60, "Nasveti"))
    login()
    speak(client, "sl")
    page = client.get(f"/admin/sequences/{made.id}")
    assert "2 dneva po vključitvi" in page.text
    assert "5 ur po prejšnjem koraku" in page.text and ">Koraki</h2>" in page.text


def test_sms_screens_in_slovak(client, login):
    login("owner")
    mlist = make_list()
    speak(client, "sk")
    page = client.get("/admin/campaigns/new-sms")
    assert ">Nová SMS kampaň</h1>" in page.text and "Názov kampane" in page.text
    assert "Znaky:" in page.text and "Riadok na odhlásenie" in page.text
    too_long = client.post("/admin/campaigns/new-sms", data=sms_form(mlist, text="č" * 202))
    assert too_long.status_code == 422 and "Text potrebuje 4 časti SMS" in too_long.text
    bad_sender = client.post("/admin/campaigns/new-sms",
                             data=sms_form(mlist, text="Ahoj", sender="0905123456"))
    assert "Číslo odosielateľa potrebuje predvoľbu krajiny" in bad_sender.text
    quota_page = client.get("/admin/sms/quota")
    assert ">Kvóta SMS</h1>" in quota_page.text and "Dostupné časti" in quota_page.text
    topped = client.post("/admin/sms/quota/top-up", data={"amount": "3", "note": ""},
                         follow_redirects=True)
    assert "Pridané 3 časti: dostupných 3." in topped.text
    assert "<td>Dobitie</td>" in topped.text


def test_statistics_in_czech_and_the_dashboard_chart_in_german(client, login):
    campaign = draft(list_with_contacts("a@example.com"), subject="Květen")
    login()
    speak(client, "cs")
    page = client.get(f"/admin/campaigns/{campaign.id}/stats")
    assert f"Statistiky kampaně „{campaign.name}“" in page.text
    assert "Unikátní prokliky" in page.text and "Zatím nikdo neklikl." in page.text
    assert "<svg" in page.text and "Clicks over time" not in page.text  # the chart's words
    assert ">Poslední kampaně vedle sebe</h1>" in client.get("/admin/stats").text
    speak(client, "de")
    dashboard = client.get("/admin/")
    assert 'data-label-subscriptions="Abonnements"' in dashboard.text
    assert 'data-label-per-day="Pro Tag"' in dashboard.text


def test_a_sequences_and_a_series_state_agree_with_their_noun(client, login):
    """"active" and "paused" take the gender of the noun they describe: a Slovak sequence
    (feminine) is "aktívna", a Slovene one (neuter) "aktivno", while a contact stays
    "aktívny"."""
    mlist = list_with_contacts("a@example.com")
    made = sequence(mlist, (0, "Ahoj"))
    sequences.set_active(db.session, made.id, True, utcnow())
    template = draft(mlist, subject="Weekly")
    series = recurring.create_series(db.session, template.id, name="Weekly",
                                     cron="0 9 * * 1", timezone="UTC", now=utcnow())
    recurring.set_paused(db.session, series.id, True, utcnow())
    db.session.commit()
    login("owner")
    speak(client, "sk")
    assert ">aktívna</span>" in client.get("/admin/sequences").text
    assert "<td>pozastavená</td>" in client.get("/admin/recurring").text
    assert "aktívny" in client.get("/admin/contacts").text
    speak(client, "sl")
    assert ">aktivno</span>" in client.get("/admin/sequences").text
    assert "<td>zaustavljena</td>" in client.get("/admin/recurring").text
