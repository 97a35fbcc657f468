"""POST /api/v1/subscribe/<list-key>: JSON signup with CORS for sites posting with fetch."""

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Contact, OptIn, Subscription
from tests.public.helpers import mails_to, public_list

ORIGIN = "https://shop.example"


def post(client, key, payload, origin=ORIGIN):
    return client.post(f"/api/v1/subscribe/{key}", json=payload, headers={"Origin": origin})


def test_signup_with_cors_sends_the_confirmation(client, worker, smtp_server):
    mlist = public_list()
    response = post(client, mlist.key, {"email": "Fan@Example.com", "first_name": "Fan"})
    assert response.status_code == 200
    assert response.json["status"] == "confirmation_sent"
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Set-Cookie" not in response.headers
    worker()
    assert len(mails_to(smtp_server, "fan@example.com")) == 1


def test_preflight_is_answered(client):
    mlist = public_list()
    response = client.options(f"/api/v1/subscribe/{mlist.key}", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_single_opt_in_answers_subscribed(client):
    mlist = public_list(optin=OptIn.SINGLE)
    assert post(client, mlist.key, {"email": "a@example.com"}).json["status"] == "subscribed"
    assert db.session.scalar(select(Subscription.status)) == "confirmed"


def test_bad_fields_are_named(client):
    mlist = public_list()
    response = post(client, mlist.key, {"email": "nope", "last_name": "A\r\nB"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"email", "last_name"}
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_not_json_unknown_list_and_honeypot(client):
    mlist = public_list()
    assert client.post(f"/api/v1/subscribe/{mlist.key}", data="email=x").status_code == 400
    assert post(client, "missing", {"email": "a@example.com"}).status_code == 404
    bot = post(client, mlist.key, {"email": "bot@example.com", "website": "x"})
    assert bot.status_code == 200 and db.session.scalar(select(Contact.id)) is None


def test_allowed_origins_restrict_the_endpoint(app, client):
    app.config["SIGNUP_ALLOWED_ORIGINS"] = [ORIGIN]
    mlist = public_list()
    refused = post(client, mlist.key, {"email": "a@example.com"}, origin="https://evil.example")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert post(client, mlist.key, {"email": "a@example.com"}).status_code == 200


def test_rate_limit_answers_json_429_readable_cross_origin(app, client):
    app.config["RATE_SIGNUP_IP"] = "1/3600"
    mlist = public_list()
    assert post(client, mlist.key, {"email": "a@example.com"}).status_code == 200
    limited = post(client, mlist.key, {"email": "b@example.com"})
    assert limited.status_code == 429
    assert "Please wait" in limited.json["error"]
    assert limited.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_the_form_may_name_the_language_of_the_subscriber(client, worker, smtp_server):
    mlist = public_list()
    response = post(client, mlist.key, {"email": "sl@example.com", "language": "sl"})
    assert response.json["message"].startswith("Na vaš naslov smo poslali povezavo za potrditev.")
    worker()
    [mail] = mails_to(smtp_server, "sl@example.com")
    assert mail["Content-Language"] == "sl" and "potrdite naročnino" in mail["Subject"]
