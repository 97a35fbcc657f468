"""The owners' webhook pages: register an endpoint (secret shown once), the test-event
button, the log with the endpoint's answers, resume, delete; owners only."""

import re

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import WebhookEndpoint

from .conftest import endpoint_row, events_received


def _create(client, url, events=("subscribed", "campaign.finished")):
    return client.post("/admin/webhooks", data={"name": "CRM sync", "url": url,
                                                "events": list(events)})


def test_an_owner_registers_an_endpoint_and_sees_the_secret_once(client, login, receiver):
    login("owner")
    response = _create(client, receiver.url)
    assert response.status_code == 201
    secret = re.search(r'id="new-webhook-secret">([^<]+)<', response.text).group(1)
    hook = db.session.scalar(select(WebhookEndpoint))
    assert hook.secret == secret and secret.startswith("whsec_")
    assert hook.events == ["subscribed", "campaign.finished"]
    page = client.get("/admin/webhooks")
    assert "CRM sync" in page.text and secret not in page.text
    assert secret not in client.get(f"/admin/webhooks/{hook.id}").text


def test_bad_addresses_and_events_are_refused(app, client, login):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    login("owner")
    for url, message in (("http://127.0.0.1:8080/hook", "private address"),
                         ("http://10.1.2.3/hook", "private address"),
                         ("ftp://example.com/hook", "http://"),
                         ("http://user:pw@example.com/", "no user name")):
        response = _create(client, url)
        assert response.status_code == 422 and message in response.text, url
    response = _create(client, "https://93.184.215.14/hook", events=["nonsense"])
    assert response.status_code == 422
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_the_test_button_sends_a_signed_test_event_and_the_log_shows_the_answer(
        client, login, receiver, worker):
    login("owner")
    _create(client, receiver.url, events=["bounced"])
    hook = db.session.scalar(select(WebhookEndpoint))
    receiver.secret = hook.secret
    receiver.answers = [(202, "accepted by the CRM", {})]
    response = client.post(f"/admin/webhooks/{hook.id}/test")
    assert response.status_code == 302
    worker()
    assert events_received(receiver) == ["test"] and receiver.requests[0].signed
    page = client.get(f"/admin/webhooks/{hook.id}").text
    assert "HTTP 202" in page and "accepted by the CRM" in page and "delivered" in page


def test_a_paused_endpoint_is_resumed_from_its_page(app, client, login, receiver, worker):
    app.config["WEBHOOK_PAUSE_AFTER"] = 1
    login("owner")
    _create(client, receiver.url)
    hook = db.session.scalar(select(WebhookEndpoint))
    receiver.secret = hook.secret
    receiver.answers = [(500, "down", {})]
    client.post(f"/admin/webhooks/{hook.id}/test")
    worker()
    page = client.get(f"/admin/webhooks/{hook.id}").text
    assert "Paused" in page and "HTTP 500" in page
    assert "paused" in client.get("/admin/webhooks").text
    assert client.post(f"/admin/webhooks/{hook.id}/resume").status_code == 302
    assert endpoint_row(hook.id).paused_at is None


def test_delete_and_owner_only(client, login, receiver, make_user):
    login("owner")
    _create(client, receiver.url)
    hook = db.session.scalar(select(WebhookEndpoint))
    assert client.post(f"/admin/webhooks/{hook.id}/delete").status_code == 302
    assert db.session.scalar(select(WebhookEndpoint)) is None
    client.post("/admin/logout")
    login("editor")
    assert client.get("/admin/webhooks").status_code == 403
    assert _create(client, receiver.url).status_code == 403
