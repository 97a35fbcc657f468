"""Subscriber journeys in Chromium: signup → confirmation mail → confirm → profile →
switch a subscription → one-click unsubscribe; and the embed snippet on a static page
served from another port."""

import functools
import http.server
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from newsletter.audience import lists, subscriptions
from newsletter.extensions import db
from newsletter.models import Contact, ListVisibility
from tests.conftest import PASSWORD
from tests.public.helpers import link_in, mails_to, public_list

pytestmark = pytest.mark.browser


@pytest.fixture
def public_base(app, live_server):
    """Links in mail point at the live server."""
    app.config["BASE_URL"] = live_server
    return live_server


def test_signup_confirm_profile_switch_and_one_click_unsubscribe(
        page, browser, public_base, worker, smtp_server, artifacts):
    weekly = public_list("Weekly news")
    public_list("Events")
    page.goto(f"{public_base}/subscribe/{weekly.key}")
    page.get_by_label("E-mail").fill("reader@example.com")
    page.get_by_label("First name (optional)").fill("Rea")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    worker()
    [mail] = mails_to(smtp_server, "reader@example.com")
    page.goto(public_base + link_in(mail, "/confirm/"))
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.get_by_role("heading", name="Subscription confirmed")).to_be_visible()
    page.get_by_role("link", name="Manage your subscriptions and data").click()
    expect(page.get_by_role("heading", name="Your subscription profile")).to_be_visible()
    expect(page.get_by_role("cell", name="reader@example.com")).to_be_visible()

    page.get_by_role("button", name="Turn on Events (E-mail)").click()
    expect(page.get_by_text("Your subscriptions were saved.")).to_be_visible()
    expect(page.locator('tr[data-list="Events"] td').nth(2)).to_have_text("On")
    page.screenshot(path=str(artifacts / "selfservice-profile.png"), full_page=True)

    contact_id = db.session.scalar(select(Contact.id))
    url = subscriptions.unsubscribe_url(contact_id, list_id=weekly.id)
    cookieless = browser.new_context()  # a mail client: no cookies, no CSRF token
    response = cookieless.request.post(url, form={"List-Unsubscribe": "One-Click"},
                                       max_redirects=0)
    assert response.status == 200
    cookieless.close()
    page.reload()
    expect(page.locator('tr[data-list="Weekly news"] td').nth(2)).to_have_text("Off")
    expect(page.locator('tr[data-list="Events"] td').nth(2)).to_have_text("On")
    expect(page.get_by_role("cell", name="Consent withdrawn")).to_be_visible()


@pytest.fixture
def static_site(tmp_path):
    """Another web site: a static file server on its own loopback port."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_embedded_snippet_on_another_site_signs_up(
        page, public_base, static_site, make_user, worker, smtp_server):
    mlist = lists.create_list(db.session, "Shop news", visibility=ListVisibility.PUBLIC)
    db.session.commit()
    make_user("editor@example.com", "editor")
    page.goto(f"{public_base}/admin/lists/{mlist.id}")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    snippet = page.locator("#embed-snippet").input_value()
    assert f'action="{public_base}/subscribe/{mlist.key}"' in snippet

    folder, site = static_site
    (folder / "index.html").write_text(
        f"<!doctype html><html><body><h1>My shop</h1>{snippet}</body></html>")
    visitor = page.context.browser.new_context().new_page()
    visitor.goto(f"{site}/index.html")
    visitor.get_by_label("E-mail").fill("fan@example.com")
    visitor.get_by_label("First name").fill("Fan")
    visitor.get_by_role("button", name="Subscribe").click()
    expect(visitor.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert visitor.url.startswith(public_base)
    worker()
    assert len(mails_to(smtp_server, "fan@example.com")) == 1
    visitor.context.close()


def test_signup_page_works_by_keyboard_on_a_phone_sized_screen(browser, public_base, artifacts):
    mlist = public_list("Weekly news")
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  locale="de-DE")
    page = context.new_page()
    page.goto(f"{public_base}/subscribe/{mlist.key}")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("E-Mail").focus()
    page.keyboard.type("keys@example.com")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Vorname (optional)")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the honeypot is not in the tab order
    expect(page.get_by_role("button", name="Abonnieren")).to_be_focused()
    page.screenshot(path=str(artifacts / "selfservice-signup-phone.png"), full_page=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sehen Sie in Ihr Postfach")).to_be_visible()
    context.close()
