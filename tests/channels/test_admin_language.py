"""The channels and senders screens speak the owner's language (chosen on the account
page): headings, form labels, flashes, the domain's refusals, the "Test connection"
results (the sentence translated, the technical detail kept) and plurals."""

from datetime import timedelta

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import MailServer, SenderCheck, SenderIdentity, utcnow
from tests.channels.servers import closed_port


def server_form(**fields):
    return {"name": "Relay", "host": "127.0.0.1", "port": "587", "security": "plain",
            "username": "", "password": "", "max_connections": "", "rate_per_minute": "",
            "timeout": "5", **fields}


def sender_form(**fields):
    return {"name": "Shop", "from_name": "The Shop", "from_email": "news@shop.example.com",
            "rate_limit": "1200", "rate_period": "hour", **fields}


def choose(client, language):
    client.post("/admin/account", data={"time_zone": "UTC", "language": language})


def test_the_smtp_server_screens_in_german(client, login):
    login("owner")
    choose(client, "de")
    form = client.get("/admin/channels/smtp/new").text
    assert ">Neuer SMTP-Server</h1>" in form and ">Servername</label>" in form
    assert ">Keine (unverschlüsseltes SMTP)</option>" in form
    assert "Wird verschlüsselt gespeichert und nie wieder angezeigt." in form
    bad = client.post("/admin/channels/smtp/new", data=server_form(host="bad host!"))
    assert bad.status_code == 422
    assert 'id="host-error">Ein Hostname (mail.example.com) oder eine IP-Adresse.' in bad.text
    saved = client.post("/admin/channels/smtp/new", follow_redirects=True,
                        data=server_form(max_connections="3", rate_per_minute="1"))
    assert "SMTP-Server gespeichert." in saved.text
    assert "Verbindet sich mit 127.0.0.1:587, begrüßt den Server und verabschiedet sich." \
        in saved.text
    listing = client.get("/admin/channels").text
    assert ">Kanäle</h1>" in listing and ">Verbindung testen</button>" in listing
    assert "3 Verbindungen, 1 Nachricht pro Minute" in listing


def test_the_test_button_answers_in_the_owners_language(client, login):
    login("owner")
    choose(client, "de")
    port = closed_port()
    client.post("/admin/channels/smtp/new", data=server_form(port=str(port)))
    server = db.session.scalar(select(MailServer))
    page = client.post(f"/admin/channels/smtp/{server.id}/test", follow_redirects=True).text
    assert ("Verbindung fehlgeschlagen: Abgelehnt: Unter "
            f"127.0.0.1:{port} nimmt nichts Verbindungen an.") in page
    choose(client, "sl")
    page = client.post(f"/admin/channels/smtp/{server.id}/test", follow_redirects=True).text
    assert f"Povezava ni uspela: Zavrnjeno: na 127.0.0.1:{port} nič ne sprejema povezav." \
        in page


def test_the_sms_gateway_form_in_czech(client, login):
    login("owner")
    choose(client, "cs")
    form = client.get("/admin/channels/sms/new").text
    assert ">Nová SMS brána</h1>" in form and ">Uživatel (SMPP system_id)</label>" in form
    bad = client.post("/admin/channels/sms/new", data={
        "name": "Operator", "kind": "kannel+http", "host": "127.0.0.1", "port": "13013",
        "username": "u", "password": "p", "path": "cgi-bin", "options": ""})
    assert bad.status_code == 422
    assert "Cesta jako /cgi-bin/sendsms, bez parametrů." in bad.text


def test_the_sender_screens_in_slovak(client, login):
    login("owner")
    choose(client, "sk")
    assert "Zatiaľ žiadni odosielatelia" in client.get("/admin/senders").text
    form = client.get("/admin/senders/new").text
    assert ">Nový odosielateľ</h1>" in form and ">Meno odosielateľa</label>" in form
    assert 'value="hour">za hodinu</option>' in form
    bad = client.post("/admin/senders/new", data=sender_form(website_url="shop.example.com"))
    assert bad.status_code == 422
    assert "Webová adresa začínajúca https:// (alebo http://)." in bad.text
    saved = client.post("/admin/senders/new", data=sender_form(), follow_redirects=True)
    assert "Odosielateľ bol uložený." in saved.text
    assert "Odosiela cez SMTP_URL." in saved.text
    assert "Zatiaľ bez kľúča: správy odchádzajú nepodpísané." in saved.text
    identity = db.session.scalar(select(SenderIdentity))
    db.session.add(SenderCheck(sender_id=identity.id, checked_at=utcnow() - timedelta(
        minutes=3, seconds=10), items=[]))
    db.session.commit()
    page = client.get(f"/admin/senders/{identity.id}").text
    assert "(pred 3 minútami)." in page and ">Skontrolovať znova</button>" in page
    assert "1200 za hodinu" in client.get("/admin/senders").text
    servers = client.get(f"/admin/senders/{identity.id}/servers").text
    assert ">Servery odosielateľa Shop</h1>" in servers
    assert '<a href="/admin/channels">Kanály</a>' in servers


def test_the_senders_domain_errors_in_german(app, login):
    from flask_babel import force_locale

    from newsletter.errors import DomainError
    from newsletter.sending import senders

    with app.test_request_context(), force_locale("de"):
        try:
            senders.save_sender(db.session, None, **{**sender_form(), "rate_limit": 5,
                                                      "rate_period": "week"})
        except DomainError as exc:
            assert str(exc) == "Die Rate wird pro Stunde, Minute oder Sekunde gezählt."
        else:
            raise AssertionError("a week was accepted")


def test_test_send_refusals_in_czech(client, login):
    from tests.factories import composed, list_with_contacts

    login()
    choose(client, "cs")
    campaign = composed(list_with_contacts("eva@example.com"),
                        [{"type": "text", "text": "<p>Ahoj</p>"}])
    url = f"/admin/campaigns/{campaign.id}/test"
    empty = client.post(url, data={"addresses": " , "})
    assert empty.status_code == 422 and "Zadejte alespoň jednu adresu." in empty.text
    many = ", ".join(f"t{i}@example.com" for i in range(11))
    assert "Nejvýše 10 testovacích adres." in client.post(url, data={"addresses": many}).text
    bad = client.post(url, data={"addresses": "boss@example.com, not-an-address"})
    assert "Neplatná adresa: " in bad.text and "not-an-address" in bad.text
    nobody = client.post(url, data={"addresses": "boss@example.com",
                                    "contact": "nobody@example.com"})
    assert "Žádný kontakt nemá tuto adresu." in nobody.text
