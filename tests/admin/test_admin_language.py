"""The admin speaks the language each account chose on its account page, whatever the
browser asks for; another account keeps its own."""

from tests.conftest import PASSWORD
from tests.factories import draft, list_with_contacts


def test_an_account_that_chose_german_gets_the_admin_in_german(client, login, make_user):
    login()
    weekly = list_with_contacts("a@example.com", name="Wochenbrief")
    draft(weekly, subject="Juni")
    page = client.post("/admin/account", data={"time_zone": "Europe/Berlin", "language": "de"},
                       follow_redirects=True)
    assert "Gespeichert. Zeiten werden jetzt in Europe/Berlin angezeigt." in page.text
    assert '<option selected value="de">Deutsch</option>' in page.text
    listing = client.get("/admin/campaigns", headers={"Accept-Language": "en"})
    assert '<html lang="de">' in listing.text
    assert ">Kampagnen</h1>" in listing.text and ">Neue Kampagne</a>" in listing.text
    assert "1 Kampagne" in listing.text and "Entwurf</span>" in listing.text
    assert ">Abmelden</button>" in listing.text and ">Übersicht</a>" in listing.text
    dashboard = client.get("/admin/")
    assert "Laufende und geplante Versände" in dashboard.text
    # another account, and the login page, stay in their own language
    client.post("/admin/logout", data={})
    assert ">Log in</h1>" in client.get("/admin/login").text  # no account: the browser's
    assert ">Anmelden</h1>" in client.get("/admin/login",
                                          headers={"Accept-Language": "de"}).text
    other = make_user("other@example.com", "editor")
    client.post("/admin/login", data={"email": other.email, "password": PASSWORD})
    english = client.get("/admin/campaigns")
    assert '<html lang="en">' in english.text and ">Campaigns</h1>" in english.text


def test_an_unknown_language_is_refused_and_nothing_changes(client, login):
    user = login()
    page = client.post("/admin/account", data={"time_zone": "UTC", "language": "xx"})
    assert page.status_code == 422 and "Not a valid choice" in page.text
    assert user.language == "en"


def test_plural_forms_on_the_campaign_list_follow_the_language(client, login):
    login()
    weekly = list_with_contacts("a@example.com", name="Týždenník")
    for i in range(3):
        draft(weekly, subject=f"Číslo {i}")
    for language, expected in [("sk", "3 kampane"), ("cs", "3 kampaně"), ("sl", "3 kampanje"),
                               ("de", "3 Kampagnen")]:
        client.post("/admin/account", data={"time_zone": "UTC", "language": language})
        assert expected in client.get("/admin/campaigns").text, language


def test_the_composer_names_blocks_and_starters_in_the_accounts_language(client, login):
    login()
    client.post("/admin/account", data={"time_zone": "UTC", "language": "de"})
    page = client.get("/admin/campaigns/new").text
    assert "+ Zwei Spalten</button>" in page and "+ Two columns" not in page
    assert ">Ankündigung</option>" in page and ">Announcement</option>" not in page
