"""API keys: made by owners in the admin, shown once, stored hashed, scoped, rate limited
with Retry-After, revocable, with the time of last use."""

import re

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import ApiKey
from newsletter.platform import apikeys

from .helpers import auth, make_key


def test_owner_makes_a_key_that_is_shown_once_and_stored_hashed(client, login):
    login("owner")
    response = client.post("/admin/api-keys", data={
        "name": "Shop CMS", "scopes": ["contacts:read", "contacts:write"],
        "rate_limit": "100/60"})
    assert response.status_code == 201
    token = re.search(r'id="new-api-key">([^<]+)<', response.text).group(1)
    key = db.session.scalar(select(ApiKey))
    assert key.name == "Shop CMS" and key.scopes == ["contacts:read", "contacts:write"]
    assert token not in key.secret_hash and key.secret_hash == apikeys.token_hash(token)
    page = client.get("/admin/api-keys").text
    assert token not in page and f"nl_{key.prefix}_" in page and "never" in page
    assert client.get("/api/v1/contacts", headers=auth(token)).status_code == 200
    assert "never" not in client.get("/admin/api-keys").text.split("<tbody>")[1]


def test_bad_key_form_names_the_fields(client, login):
    login("owner")
    response = client.post("/admin/api-keys", data={"name": "", "rate_limit": "fast"})
    assert response.status_code == 422
    assert "Choose at least one scope." in response.text
    assert "Write requests/seconds" in response.text
    assert db.session.scalar(select(ApiKey)) is None


def test_only_owners_manage_keys(client, login):
    login("editor")
    assert client.get("/admin/api-keys").status_code == 403
    assert client.post("/admin/api-keys", data={"name": "x",
                                                "scopes": ["lists:read"]}).status_code == 403


def test_revoked_key_is_refused(client, login):
    token = make_key()
    login("owner")
    key_id = db.session.scalar(select(ApiKey.id))
    assert client.post(f"/admin/api-keys/{key_id}/revoke").status_code == 302
    response = client.get("/api/v1/lists", headers=auth(token))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_no_key_wrong_key_and_cookies_do_not_open_the_api(client, login):
    login("owner")  # an admin session cookie is not an API credential
    assert client.get("/api/v1/lists").status_code == 401
    assert client.get("/api/v1/lists", headers=auth("nl_x_y")).status_code == 401


def test_scopes_are_per_resource_and_access(client):
    token = make_key(scopes=["contacts:read"])
    assert client.get("/api/v1/contacts", headers=auth(token)).status_code == 200
    denied = client.post("/api/v1/contacts", json={"email": "a@example.com"},
                         headers=auth(token))
    assert denied.status_code == 403 and "contacts:write" in denied.json["error"]["message"]
    assert client.get("/api/v1/lists", headers=auth(token)).status_code == 403


def test_rate_limit_per_key_answers_retry_after(client):
    slow, other = make_key(rate_limit="2/60"), make_key(name="Other")
    for _ in range(2):
        assert client.get("/api/v1/lists", headers=auth(slow)).status_code == 200
    limited = client.get("/api/v1/lists", headers=auth(slow))
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.json["error"]["code"] == "rate_limited"
    assert client.get("/api/v1/lists", headers=auth(other)).status_code == 200


def test_every_role_reads_the_api_reference(client, login):
    login("viewer")
    page = client.get("/admin/api-reference")
    assert page.status_code == 200
    assert "/api/v1/contacts/bulk" in page.text and 'id="schema-ContactOut"' in page.text
    assert "Upsert up to 10,000 contacts" in page.text
