"""In Chromium: an owner makes an API key (a missing scope is named first), copies the key
that is shown once, a CRM calls the API with it over HTTP, the page shows the key as used,
and the owner revokes it."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _call(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local)
            json.load(response)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_owner_makes_uses_and_revokes_a_key(page, live_server, make_user, artifacts):
    make_user("owner@example.com", "owner")
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="API keys").click()
    expect(page.get_by_text("No API keys yet.")).to_be_visible()
    page.get_by_label("Name").fill("Shop CRM")
    page.get_by_role("button", name="Make key").click()
    expect(page.get_by_text("Choose at least one scope.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Shop CRM")  # nothing typed is lost
    page.get_by_label("contacts:read").check()
    page.get_by_role("button", name="Make key").click()
    token = page.locator("#new-api-key").inner_text()
    assert token.startswith("nl_")
    page.screenshot(path=str(artifacts / "api-key-made.png"), full_page=True)

    assert _call(f"{live_server}/api/v1/contacts", token) == 200
    assert _call(f"{live_server}/api/v1/lists", token) == 403  # not in its scopes
    page.get_by_role("link", name="API keys").click()
    expect(page.locator("#new-api-key")).to_have_count(0)  # shown once only
    row = page.locator("tr", has_text="Shop CRM")
    expect(row).not_to_contain_text("never")
    row.get_by_role("button", name="Revoke Shop CRM").click()
    expect(page.get_by_text("was revoked")).to_be_visible()
    assert _call(f"{live_server}/api/v1/contacts", token) == 401
