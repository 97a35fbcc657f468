"""The owner's screens (users, API keys, webhooks, audit log, plan) speak the language the
account chose: headings, labels, flash messages, the services' refusals and plurals."""

from email import message_from_bytes, policy

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import User
from newsletter.platform import invitations
from tests.conftest import PASSWORD


def _choose(client, language: str) -> None:
    response = client.post("/admin/account", data={"time_zone": "UTC", "language": language})
    assert response.status_code == 302, response.text


def test_an_owner_in_german_manages_the_team_in_german(client, login, make_user):
    login("owner")
    colleague = make_user("olga@example.com", "owner")
    _choose(client, "de")
    page = client.get("/admin/users").text
    assert ">Benutzer</h1>" in page and ">Benutzer hinzufügen</h2>" in page
    assert "Ihr eigenes Passwort zur Bestätigung</label>" in page  # a form label
    assert ">Leser</option>" in page and ">Rolle ändern</button>" in page
    # the service's refusal: a wrong own password
    refused = client.post("/admin/users", data={
        "email": "eva@example.com", "role": "reviewer", "invite": "y",
        "current_password": "not my password"})
    assert refused.status_code == 422
    assert "Falsche E-Mail-Adresse oder falsches Passwort." in refused.text
    # the invitation: a flash with the link's hours (a plural) and the role's name
    invited = client.post("/admin/users", data={
        "email": "eva@example.com", "role": "reviewer", "invite": "y",
        "current_password": PASSWORD}, follow_redirects=True)
    assert ("eva@example.com ist als Prüfer eingeladen: Die E-Mail enthält einen Link zum "
            "Wählen eines Passworts (72 Stunden gültig).") in invited.text
    eva = db.session.scalar(select(User).where(User.email == "eva@example.com"))
    assert eva.language == "de"  # the invitation mail and her first pages: the owner's
    mail = invitations.message(db.session, eva.id, invitations.INVITE)
    assert mail["Subject"] == "Einladung zur Newsletter-Verwaltung"
    # removing a colleague: its flash, and both actions in the audit log
    only = client.post(f"/admin/users/{colleague.id}", data={
        "action": "remove", "current_password": PASSWORD}, follow_redirects=True)
    assert "olga@example.com wurde entfernt und kann sich nicht mehr anmelden." in only.text
    audit = client.get("/admin/audit").text
    assert ">Protokoll</h1>" in audit and "Konto per E-Mail eingeladen" in audit
    assert "Konto entfernt" in audit


def test_a_password_link_page_and_mail_in_german(app, client, login):
    owner = login("owner")
    _choose(client, "de")
    db.session.expire_all()  # the language the account page saved
    mail = message_from_bytes(bytes(invitations.message(db.session, owner.id,
                                                        invitations.RESET)),
                              policy=policy.default)
    assert mail["Subject"] == "Legen Sie ein neues Passwort für die Newsletter-Verwaltung fest"
    visitor = app.test_client()
    gone = visitor.get("/admin/password/forged-token", headers={"Accept-Language": "de"})
    assert gone.status_code == 410 and "Dieser Link ist ungültig." in gone.text
    assert "Bitten Sie einen Inhaber um einen neuen." in gone.text


def test_plan_limits_and_their_refusal_in_german(client, login):
    login("owner")
    _choose(client, "de")
    page = client.get("/admin/plan").text
    assert ">Tarifgrenzen</h1>" in page and "Benutzerkonten</label>" in page
    assert ">unbegrenzt</td>" in page
    saved = client.post("/admin/plan", data={"users": "1"}, follow_redirects=True)
    assert "Tarifgrenzen gespeichert." in saved.text
    refused = client.post("/admin/users", data={
        "email": "eva@example.com", "role": "editor", "password": "a long password",
        "current_password": PASSWORD})
    assert ("Der Tarif erlaubt 1 Benutzerkonten; 1 sind belegt, also passen 1 weitere nicht "
            "hinein.") in refused.text


def test_api_keys_and_webhooks_in_slovak(client, login):
    login("owner")
    _choose(client, "sk")
    keys = client.get("/admin/api-keys").text
    assert ">API kľúče</h1>" in keys and "Zatiaľ žiadne API kľúče." in keys
    assert "Názov kľúča</label>" in keys
    no_scope = client.post("/admin/api-keys", data={"name": "Shop", "rate_limit": "600/60"})
    assert no_scope.status_code == 422 and "Vyberte aspoň jedno oprávnenie." in no_scope.text
    made = client.post("/admin/api-keys", data={"name": "Shop", "rate_limit": "600/60",
                                                 "scopes": ["contacts:read"]})
    assert made.status_code == 201 and "Skopírujte si ho teraz" in made.text
    assert ">nikdy</td>" in made.text
    hooks = client.get("/admin/webhooks").text
    assert ">Webhooky</h1>" in hooks and "Pridať koncový bod</h2>" in hooks
    assert "Odber skončil (odkaz na odhlásenie z odberu, profil, SMS STOP)." in hooks
    local = client.post("/admin/webhooks", data={
        "name": "CRM", "url": "http://localhost/hook", "events": ["subscribed"]})
    assert local.status_code == 422 and "localhost nie je z platformy dostupný." in local.text
    private = client.post("/admin/webhooks", data={
        "name": "CRM", "url": "http://10.1.2.3/hook", "events": ["subscribed"]})
    assert "10.1.2.3 ukazuje na súkromnú adresu (10.1.2.3); nenačíta sa." in private.text
    reference = client.get("/admin/api-reference").text
    assert ">Operácie</h2>" in reference and "najviac 100 znakov" in reference


def test_plurals_of_the_api_reference_in_czech_and_slovenian(client, login, make_user):
    login("owner")
    _choose(client, "cs")
    assert "nejvýše 100 znaků" in client.get("/admin/api-reference").text
    _choose(client, "sl")
    assert "največ 100 znakov" in client.get("/admin/api-reference").text
