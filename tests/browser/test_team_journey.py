"""An owner invites a colleague in Chromium: the role picker starts at the least privilege,
the invitation goes out by mail, the colleague chooses a password through its link in a
browser of their own, and then logs in with the role the owner gave."""

import re
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

from tests.browser.session import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _invitation_link(smtp_server, address: str) -> str:
    raw = next(m.data for m in smtp_server.messages if m.rcpt_tos == [address])
    body = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/admin/password/\S+", body).group(0)


def test_owner_invites_an_editor_who_chooses_a_password_and_logs_in(
        app, browser, page, live_server, make_user, worker, smtp_server, artifacts):
    app.config["BASE_URL"] = live_server  # the mailed link leads to this server
    log_in(page, live_server, make_user, role="owner", email="owner@example.com")
    page.goto(f"{live_server}/admin/users")
    expect(page.get_by_label("Role", exact=True)).to_have_value("viewer")
    page.get_by_label("E-mail").fill("eva@example.com")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_label("Your own password, to confirm").fill("not my password")
    page.get_by_role("button", name="Add or invite").click()
    expect(page.locator(".field-error, .error").first).to_be_visible()  # nothing added
    expect(page.locator("#accounts")).not_to_contain_text("eva@example.com")
    page.get_by_label("E-mail").fill("eva@example.com")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_label("Your own password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Add or invite").click()
    expect(page.locator("#accounts")).to_contain_text("eva@example.com")
    page.screenshot(path=str(artifacts / "users-invited-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "users-invited-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # each account is a card: nothing in the table scrolls sideways, its buttons fit
    accounts = page.locator("#accounts")
    assert accounts.evaluate("t => t.scrollWidth <= t.clientWidth")
    row = page.locator("#accounts tr", has_text="eva@example.com")
    for name in ("Change role", "Remove", "Mail a password link"):
        box = row.get_by_role("button", name=name).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, name

    worker()
    link = _invitation_link(smtp_server, "eva@example.com")
    colleague = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    try:
        colleague.goto(link)
        expect(colleague.get_by_text("eva@example.com")).to_be_visible()
        colleague.get_by_label("New password").fill("eva's own password")
        colleague.get_by_label("The same password again").fill("eva's own password")
        colleague.screenshot(path=str(artifacts / "users-choose-password-390.png"),
                             full_page=True)
        colleague.get_by_role("button", name="Set my password").click()
        colleague.get_by_label("E-mail").fill("eva@example.com")
        colleague.get_by_label("Password").fill("eva's own password")
        colleague.get_by_role("button", name="Log in").click()
        expect(colleague.get_by_role("button", name="Log out")).to_be_visible()
        colleague.goto(link)  # the link worked once
        expect(colleague.get_by_role("alert")).to_contain_text("not valid")
    finally:
        colleague.context.close()


def test_the_users_page_fits_a_phone_in_german(page, live_server, make_user, artifacts):
    """German has the longest words: each account's card still fits 390 px, nothing scrolls
    sideways, and at 1280 px it stays a table."""
    make_user("a-colleague-with-a-rather-long-address@example.com", "reviewer")
    log_in(page, live_server, make_user, role="owner", email="owner@example.com")
    page.goto(f"{live_server}/admin/account")
    page.get_by_label("Language of the administration").select_option("de")
    page.get_by_role("button", name="Save").click()
    page.goto(f"{live_server}/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Benutzer")
    page.screenshot(path=str(artifacts / "users-de-1280.png"), full_page=True)
    assert page.locator("#accounts").evaluate("t => getComputedStyle(t).display") == "table"
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "users-de-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#accounts").evaluate("t => t.scrollWidth <= t.clientWidth")
    row = page.locator("#accounts tr", has_text="rather-long-address")
    expect(row.get_by_role("button", name="Passwort-Link senden")).to_be_visible()
    for button in row.get_by_role("button").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
