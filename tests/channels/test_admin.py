"""The owner's channel screens: SMTP servers and SMS gateways with their passwords kept
encrypted (the raw row holds no plain text, the form never shows the password, blank keeps
it), "Test connection" buttons that say what failed, bad input re-rendered with field
errors and nothing lost, and a sender's pool of servers."""

import re

from sqlalchemy import select, text

from newsletter.channels import credentials, servers, sms_gateways
from newsletter.extensions import db
from newsletter.models import MailServer, SenderServer, SmsGatewayAccount
from newsletter.sending import senders
from tests.channels.servers import PASSWORD, USER, closed_port, login_smtp_server

SECRET = "Pa55-word-x7!"


def server_form(**fields):
    return {"name": "Relay", "host": "127.0.0.1", "port": "587", "security": "plain",
            "username": "", "password": "", "max_connections": "", "rate_per_minute": "",
            "timeout": "5", **fields}


def raw_rows(table: str) -> list[str]:
    return [repr(tuple(row)) for row in db.session.execute(text(f"select * from {table}"))]


def test_a_server_password_is_encrypted_at_rest_and_never_shown(app, client, login):
    login("owner")
    response = client.post("/admin/channels/smtp/new", data=server_form(
        username="mailer", password=SECRET, max_connections="3", rate_per_minute="600"))
    assert response.status_code == 302
    [row] = raw_rows("mail_server")
    assert SECRET not in row and "mailer" in row  # the user is not secret, the password is
    server = db.session.scalar(select(MailServer))
    assert credentials.decrypt(app.config, server.password_encrypted) == SECRET
    page = client.get(response.location).text
    assert SECRET not in page and server.password_encrypted not in page
    [password_input] = re.findall(r'<input[^>]*name="password"[^>]*>', page)
    assert 'value=""' in password_input or "value=" not in password_input
    assert "Blank keeps the stored password." in page
    # saving with a blank password keeps it; another key cannot read it
    client.post(response.location, data=server_form(username="mailer", host="localhost"))
    db.session.expire_all()
    server = db.session.scalar(select(MailServer))
    assert server.host == "localhost"
    assert credentials.decrypt(app.config, server.password_encrypted) == SECRET
    other = {**app.config, "CREDENTIALS_KEY": "another key"}
    try:
        credentials.decrypt(other, server.password_encrypted)
    except credentials.CredentialError as exc:
        assert "enter the password again" in str(exc)
    else:
        raise AssertionError("decrypted with another key")


def test_bad_server_input_rerenders_with_field_errors_and_keeps_the_rest(client, login):
    login("owner")
    response = client.post("/admin/channels/smtp/new", data=server_form(
        name="Backup relay", host="bad host!", port="70000", max_connections="0"))
    assert response.status_code == 422
    page = response.text
    assert 'id="port-error"' in page and 'id="max_connections-error"' in page
    assert 'value="Backup relay"' in page and 'value="bad host!"' in page
    response = client.post("/admin/channels/smtp/new", data=server_form(host="bad host!"))
    assert response.status_code == 422
    assert 'id="host-error">A host name (mail.example.com) or an IP address.' in response.text
    assert client.post("/admin/channels/smtp/new", data=server_form()).status_code == 302
    taken = client.post("/admin/channels/smtp/new", data=server_form())
    assert taken.status_code == 422 and "The name &#39;Relay&#39; is taken." in taken.text
    assert db.session.scalar(select(db.func.count(MailServer.id))) == 1


def test_the_test_button_says_what_worked_and_what_failed(app, client, login, smtp_server):
    login("owner")
    client.post("/admin/channels/smtp/new", data=server_form(port=str(smtp_server.port)))
    server = db.session.scalar(select(MailServer))
    page = client.post(f"/admin/channels/smtp/{server.id}/test", follow_redirects=True).text
    assert f"Connection works: Connected to 127.0.0.1:{smtp_server.port} (without TLS)." \
        in page
    port = closed_port()
    client.post(f"/admin/channels/smtp/{server.id}", data=server_form(port=str(port)))
    page = client.post(f"/admin/channels/smtp/{server.id}/test", follow_redirects=True).text
    assert "Connection failed: Refused: nothing accepts connections at " \
           f"127.0.0.1:{port}." in page
    with login_smtp_server() as auth_port:
        client.post(f"/admin/channels/smtp/{server.id}", data=server_form(
            port=str(auth_port), username=USER, password="wrong"))
        page = client.post(f"/admin/channels/smtp/{server.id}/test",
                           follow_redirects=True).text
        assert "Connection failed: Login refused by" in page
        client.post(f"/admin/channels/smtp/{server.id}", data=server_form(
            port=str(auth_port), username=USER, password=PASSWORD))
        page = client.post(f"/admin/channels/smtp/{server.id}/test",
                           follow_redirects=True).text
        assert f"logged in as {USER}" in page
    # GET does not test anything
    assert client.get(f"/admin/channels/smtp/{server.id}/test").status_code == 405


def test_a_key_change_is_a_clear_message_not_an_error_page(app, client, login):
    login("owner")
    client.post("/admin/channels/smtp/new", data=server_form(username="u", password=SECRET))
    server = db.session.scalar(select(MailServer))
    app.config["CREDENTIALS_KEY"] = "rotated"
    page = client.post(f"/admin/channels/smtp/{server.id}/test", follow_redirects=True)
    assert page.status_code == 200 and "enter the password again" in page.text


def gateway_form(**fields):
    return {"name": "operator", "kind": "smpp", "host": "127.0.0.1", "port": "2775",
            "username": "newsletter", "password": "", "path": "", "options": "", **fields}


def test_sms_gateways_in_the_admin(app, client, login, smpp_server):
    login("owner")
    response = client.post("/admin/channels/sms/new", data=gateway_form(
        port=str(smpp_server.port), password="secret", options="source=%2B421900000000"))
    assert response.status_code == 302
    assert all("secret" not in row for row in raw_rows("sms_gateway_account"))
    assert "secret" not in client.get(response.location).text
    gateway = db.session.scalar(select(SmsGatewayAccount))
    page = client.post(f"/admin/channels/sms/{gateway.id}/test", follow_redirects=True).text
    assert f"Connection works: Bound to 127.0.0.1:{smpp_server.port} as newsletter" in page
    assert smpp_server.binds == [("newsletter", "secret")]
    # campaigns can pick it, beside SMS_GATEWAYS; its messenger has the decrypted password
    assert sms_gateways.names(app.config, db.session) == ["operator", "outbox"]
    messenger = sms_gateways.open_gateway(app.config, "operator", session=db.session)
    assert (messenger.password, messenger.source) == ("secret", "+421900000000")
    client.post(f"/admin/channels/sms/{gateway.id}", data=gateway_form(
        port=str(smpp_server.port), password="wrong"))
    page = client.post(f"/admin/channels/sms/{gateway.id}/test", follow_redirects=True).text
    assert "Connection failed: Bind refused by" in page
    bad = client.post("/admin/channels/sms/new", data=gateway_form(
        name="outbox", port="x", options="a=b=c&&"))
    assert bad.status_code == 422 and 'id="port-error"' in bad.text
    bad = client.post("/admin/channels/sms/new", data=gateway_form(name="outbox"))
    assert bad.status_code == 422 and "SMS_GATEWAYS already defines" in bad.text
    bad = client.post("/admin/channels/sms/new", data=gateway_form(name="x", path="no-slash"))
    assert bad.status_code == 422 and 'id="path-error"' in bad.text


def test_a_senders_pool_of_servers(app, client, login):
    login("owner")
    identity = senders.save_sender(db.session, None, name="News", from_name="News",
                                   from_email="news@example.com", reply_to="",
                                   rate_limit=3000, rate_period="hour", dkim_selector="")
    a = servers.save_mail_server(db.session, app.config, None, servers.MailServerData(
        "A", "127.0.0.1", 2525, "plain"))
    b = servers.save_mail_server(db.session, app.config, None, servers.MailServerData(
        "B", "127.0.0.1", 2526, "plain"))
    db.session.commit()
    url = f"/admin/senders/{identity.id}/servers"
    assert "Sends through SMTP_URL." in client.get(f"/admin/senders/{identity.id}").text
    bad = client.post(url, data={f"weight_{a.id}": "3", f"weight_{b.id}": "-1"})
    assert bad.status_code == 422 and f'id="weight_{b.id}-error"' in bad.text
    assert 'value="3"' in bad.text  # what was typed stays
    assert db.session.scalar(select(db.func.count(SenderServer.id))) == 0
    assert client.post(url, data={f"weight_{a.id}": "3", f"weight_{b.id}": "1"}).status_code \
        == 302
    assert servers.pool_weights(db.session, identity.id) == {a.id: 3, b.id: 1}
    assert "Sends through A (weight 3), B (weight 1)." in \
        client.get(f"/admin/senders/{identity.id}").text
    assert "A ×3, B ×1" in client.get("/admin/senders").text
    client.post(url, data={f"weight_{a.id}": "0", f"weight_{b.id}": "2"})
    assert servers.pool_weights(db.session, identity.id) == {b.id: 2}


def test_only_owners_see_channels(client, login):
    login("editor")
    assert client.get("/admin/channels").status_code == 403
    assert client.post("/admin/channels/smtp/new", data=server_form()).status_code == 403


def test_buttons_need_the_csrf_token(app, client, login, smtp_server):
    login("owner")
    client.post("/admin/channels/smtp/new", data=server_form(port=str(smtp_server.port)))
    server = db.session.scalar(select(MailServer))
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/admin/channels/smtp/{server.id}/test").status_code == 400
    assert client.post(f"/admin/channels/smtp/{server.id}/delete").status_code == 400
    assert smtp_server.handler.greetings == 0  # nothing was contacted
    page = client.get("/admin/channels").text
    assert 'name="csrf_token"' in page and "Test connection" in page


def test_removing_a_server_takes_it_out_of_every_pool(app, client, login):
    login("owner")
    identity = senders.save_sender(db.session, None, name="News", from_name="News",
                                   from_email="news@example.com", reply_to="",
                                   rate_limit=3000, rate_period="hour", dkim_selector="")
    server = servers.save_mail_server(db.session, app.config, None, servers.MailServerData(
        "A", "127.0.0.1", 2525, "plain"))
    servers.set_pool(db.session, identity.id, {server.id: 2})
    db.session.commit()
    page = client.post(f"/admin/channels/smtp/{server.id}/delete", follow_redirects=True)
    assert "SMTP server removed" in page.text
    assert db.session.scalar(select(db.func.count(MailServer.id))) == 0
    assert servers.pool_weights(db.session, identity.id) == {}


def test_channel_changes_are_in_the_audit_log_without_passwords(app, client, login):
    from newsletter.models import AuditEntry

    login("owner")
    created = client.post("/admin/channels/smtp/new", data=server_form(
        username="mailer", password=SECRET))
    client.post(created.location, data=server_form(username="mailer", port="2525",
                                                   password="Another-1"))
    client.post(created.location, data=server_form(username="mailer", port="2525"))  # same
    server = db.session.scalar(select(MailServer))
    client.post(f"/admin/channels/smtp/{server.id}/delete")
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["channel.smtp_saved", "channel.smtp_saved",
                                           "channel.smtp_removed"]
    assert entries[0].actor == "owner@example.com"
    assert entries[0].detail.startswith("created; name: — → Relay")
    assert entries[1].detail == "port: 587 → 2525; password changed"
    assert all(SECRET not in e.detail and "Another-1" not in e.detail for e in entries)
    assert "Relay (127.0.0.1:2525)" in entries[2].detail
