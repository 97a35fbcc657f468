"""/api/v1/webhooks: register, list, read, test and delete endpoints with an API key."""

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import WebhookEndpoint
from tests.webhooks.conftest import Receiver

from .helpers import auth, make_key


def test_register_list_test_and_delete_an_endpoint(app, client, worker):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    receiver = Receiver()
    try:
        token = make_key()
        response = client.post("/api/v1/webhooks", headers=auth(token, **{
            "Idempotency-Key": "hook-1"}), json={"name": "CRM", "url": receiver.url,
                                                 "events": ["subscribed", "bounced"]})
        assert response.status_code == 201, response.text
        created = response.json
        assert created["secret"].startswith("whsec_") and created["paused"] is False
        receiver.secret = created["secret"]
        again = client.post("/api/v1/webhooks", headers=auth(token, **{
            "Idempotency-Key": "hook-1"}), json={"name": "CRM", "url": receiver.url,
                                                 "events": ["subscribed", "bounced"]})
        assert again.json["id"] == created["id"]
        assert len(db.session.scalars(select(WebhookEndpoint)).all()) == 1

        listed = client.get("/api/v1/webhooks", headers=auth(token)).json
        assert [w["name"] for w in listed["data"]] == ["CRM"]
        assert "secret" not in listed["data"][0]
        one = client.get(f"/api/v1/webhooks/{created['id']}", headers=auth(token)).json
        assert one["events"] == ["subscribed", "bounced"] and "secret" not in one

        assert client.post(f"/api/v1/webhooks/{created['id']}/test",
                           headers=auth(token)).status_code == 202
        worker()
        [got] = receiver.requests
        assert got.signed and got.document["event"] == "test"

        assert client.delete(f"/api/v1/webhooks/{created['id']}",
                             headers=auth(token)).status_code == 200
        assert client.get(f"/api/v1/webhooks/{created['id']}",
                          headers=auth(token)).status_code == 404
    finally:
        receiver.stop()


def test_refusals_have_the_one_error_shape(app, client):
    token = make_key()
    response = client.post("/api/v1/webhooks", headers=auth(token), json={
        "name": "x", "url": "http://127.0.0.1:9/hook", "events": ["subscribed"]})
    assert response.status_code == 422
    assert "private address" in response.json["error"]["fields"]["url"][0]
    response = client.post("/api/v1/webhooks", headers=auth(token), json={
        "name": "x", "url": "https://example.com/hook", "events": ["nonsense"]})
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid_request"
    reader = make_key(scopes=["webhooks:read"], name="reader")
    assert client.post("/api/v1/webhooks", headers=auth(reader), json={
        "name": "x", "url": "https://example.com/hook",
        "events": ["subscribed"]}).status_code == 403
