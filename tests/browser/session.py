"""Logging in through the real login form, for the browser journeys."""

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def log_in(page, live_server, make_user, role: str = "editor",
           email: str = "editor@example.com") -> None:
    make_user(email, role)
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
