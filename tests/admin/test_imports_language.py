"""Imports, segments and the block list follow the account's language: headings, form
labels, flash messages, domain errors and plurals. The import's row problems are written
in English by the worker (it serves nobody's language) and shown translated on the report;
the rejected-rows CSV keeps them in English."""

import io

from newsletter.texts import shown
from tests.admin.test_imports import CSV_SEMICOLON, mapping, start, upload
from tests.blocklist.world import make_world
from tests.segments.test_admin import CITY, NEWS, form_data
from tests.segments.world import build


def speak(client, language):
    response = client.post("/admin/account", data={"time_zone": "UTC", "language": language})
    assert response.status_code in (200, 302)


def test_the_import_screens_and_their_row_problems_in_german(client, login, weekly, worker):
    login()
    speak(client, "de")
    page = client.get("/admin/imports")
    assert ">Kontakte importieren</h1>" in page.text
    assert "In die Liste" in page.text and "Datei (CSV oder XML)" in page.text
    empty = upload(client, weekly.id, "leer.csv", b"   ")
    assert empty.status_code == 422 and "Die Datei ist leer." in empty.text

    response = upload(client, weekly.id, "kontakte.csv", CSV_SEMICOLON.encode("utf-8-sig"))
    url = response.headers["Location"]
    setup = client.get(url)
    assert "Spalte 1 („E-mail“)" in setup.text and "Rechtsgrundlage" in setup.text
    assert "Semikolon (;)" in setup.text and ">Nachname</option>" in setup.text
    assert ">Berechtigtes Interesse</option>" in setup.text
    twice = client.post(url, data={"legal_basis": "consent",
                                   **mapping("email", "email", "last_name", "", "")})
    assert twice.status_code == 422
    assert "Ordnen Sie genau eine Spalte der E-Mail zu." in twice.text
    import_id, _page, started = start(
        client, response, **mapping("email", "first_name", "last_name", "phone", "attribute"))
    assert started.status_code == 302
    worker()

    report = client.get(f"/admin/imports/{import_id}").text
    assert 'data-stat="status">abgeschlossen</strong>' in report
    assert "Rechtsgrundlage Einwilligung" in report and ">Nicht importierte Zeilen</h2>" in report
    assert "<td>3</td><td>&#39;not-an-address&#39; ist keine gültige E-Mail-Adresse</td>" \
        in report
    assert "<td>5</td><td>keine E-Mail-Adresse</td>" in report
    assert "Telefonnummer &#39;0905 123 456&#39; braucht eine Ländervorwahl (+49…)" in report
    assert "<td>6</td><td>dieselbe Adresse wie in Zeile 4 (einmal importiert)</td>" in report
    listing = client.get("/admin/imports").text
    assert "<td>abgeschlossen</td>" in listing and ">Letzte Importe</h2>" in listing
    # the download stays as stored, in English
    rejected = client.post(f"/admin/imports/{import_id}/rejected.csv", buffered=True).text
    assert "3,'not-an-address' is not a valid e-mail address," in rejected


def test_stored_row_problems_are_translated_when_shown(app):
    with app.test_request_context("/", headers={"Accept-Language": "sl"}):
        assert shown("already on the list") == "že na seznamu"
        assert shown("the same address as line 4 (imported once)") == \
            "isti naslov kot v vrstici 4 (uvožen enkrat)"
        assert shown("something nobody wrote") == "something nobody wrote"


def test_the_segment_editor_in_german_and_its_plural_in_slovak(client, login):
    build()
    login("editor")
    speak(client, "de")
    page = client.get("/admin/segments/new")
    assert ">Neues Segment</h1>" in page.text and "Name des Segments" in page.text
    assert ">Listenmitgliedschaft</option>" in page.text and ">ist gleich</option>" in page.text
    counted = client.post("/admin/segments/new",
                          data=form_data(groups=[("all", [CITY, NEWS])], action="count"))
    assert "<strong>2</strong> Kontakte passen jetzt." in counted.text
    bad = client.get("/admin/segments/count", query_string=form_data(
        groups=[("all", [("created", "before", "", "yesterday")])]))
    assert bad.json["error"] == \
        "Gruppe 1, Bedingung 1: Geben Sie ein Datum im Format JJJJ-MM-TT an."
    saved = client.post("/admin/segments/new", data=form_data(groups=[("all", [CITY])]),
                        follow_redirects=True)
    assert "Segment „Bratislava“ gespeichert." in saved.text
    speak(client, "sk")
    live = client.get("/admin/segments/count", query_string=form_data(
        groups=[("any", [CITY, NEWS])]))
    assert live.json["text"] == "Teraz zodpovedajú 4 kontakty."
    assert ">Segmenty</h1>" in client.get("/admin/segments").text


def test_the_block_list_in_german_and_czech(client, login):
    login()
    make_world()
    speak(client, "de")
    listing = client.get("/admin/blocklist").text
    assert ">Sperrliste</h1>" in listing and ">Einträge aus CSV importieren</h2>" in listing
    form = client.get("/admin/blocklist/new").text
    assert "Gesperrte Kanäle" in form and "Niederlassung" in form
    refused = client.post("/admin/blocklist/new", data={"organization": "No Such Firm"})
    assert refused.status_code == 422
    assert "Keine Organisation heißt &#39;No Such Firm&#39;." in refused.text
    assert "Wählen Sie mindestens einen Kanal, der gesperrt werden soll." in refused.text
    saved = client.post("/admin/blocklist/new", data={
        "email": "xy@zoz.sk", "channels": ["email"]}, follow_redirects=True)
    assert "Sperrlisteneintrag #1 gespeichert." in saved.text
    assert "<td>E-Mail</td>" in saved.text  # the forbidden channel in words
    speak(client, "cs")
    csv = ("organization,email,channels\n,a@zoz.sk,email\n,b@zoz.sk,email\n,c@zoz.sk,fax\n"
           ",xy@zoz.sk,email\n")
    imported = client.post("/admin/blocklist/import", data={
        "file": (io.BytesIO(csv.encode()), "b.csv")}, content_type="multipart/form-data")
    assert "<strong>2</strong> záznamy přidány" in imported.text
    assert "<strong>1</strong> řádek s chybami (neimportován)." in imported.text
    assert "Neznámý kanál fax." in imported.text
    assert "Již je v blokovaných adresách jako záznam #1." in imported.text
