"""axe-core (WCAG 2.1 A/AA) on every public page and the main admin pages in Chromium: a
serious or critical violation fails. Pages are visited in the states people meet them in
(a signup with an error, a profile after a switch, a sent campaign's statistics...). Every
page's findings, minor ones included, are written to tests/artifacts/axe-*.json."""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from newsletter.audience import subscriptions
from newsletter.extensions import db
from newsletter.models import Contact, MailingList
from tests.browser.axe import BLOCKING, describe, violations
from tests.conftest import PASSWORD
from tests.public.helpers import link_in, mails_to, public_list
from tests.tracking.helpers import html_links, path_of, received, send

pytestmark = pytest.mark.browser


class Audit:
    """Runs axe on each page visited and fails at the end with every page's findings."""

    def __init__(self, page, artifacts, name):
        self.page, self.name, self.path = page, name, artifacts / f"axe-{name}.json"
        self.report: dict[str, list[dict]] = {}

    def __call__(self, label: str, page=None):
        self.report[label] = violations(page or self.page)

    def check(self):
        self.path.write_text(json.dumps(self.report, indent=2))
        blocking = {label: [v for v in found if v["impact"] in BLOCKING]
                    for label, found in self.report.items()}
        failed = "\n".join(f"{label}:\n{describe(found)}"
                           for label, found in blocking.items() if found)
        assert not failed, f"axe found serious or critical violations:\n{failed}"


@pytest.fixture
def public_base(app, live_server):
    app.config["BASE_URL"] = live_server
    return live_server


def test_public_pages_have_no_serious_violations(page, public_base, worker, smtp_server,
                                                artifacts):
    audit = Audit(page, artifacts, "public")
    weekly = public_list("Weekly news")
    public_list("Novinky", language="sk")

    page.goto(f"{public_base}/subscribe/{weekly.key}")
    audit("signup")
    page.get_by_label("E-mail").fill("not an address")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".error").first).to_be_visible()
    audit("signup with an error")
    page.get_by_label("E-mail").fill("reader@example.com")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    audit("check your inbox")

    worker()
    [mail] = mails_to(smtp_server, "reader@example.com")
    page.goto(public_base + link_in(mail, "/confirm/"))
    audit("confirm")
    page.get_by_role("button", name="Confirm my subscription").click()
    audit("confirmed")
    page.get_by_role("link", name="Manage your subscriptions and data").click()
    audit("profile")
    page.get_by_role("button", name="Turn on Novinky (E-mail)").click()
    expect(page.get_by_text("Your subscriptions were saved.")).to_be_visible()
    audit("profile after a switch")

    contact_id = db.session.scalar(select(Contact.id).where(
        Contact.email == "reader@example.com"))
    page.goto(subscriptions.unsubscribe_url(contact_id, list_id=weekly.id))
    audit("unsubscribe")
    page.get_by_role("button", name="Unsubscribe").first.click()
    audit("unsubscribed")
    page.goto(f"{public_base}/p")
    audit("profile login")

    sent = send("eva@example.com", worker=worker, public_archive=True, subject="Issue one")
    webview = next(u for u in html_links(received(smtp_server, "eva@example.com"))
                   if "/m/" in u)
    page.goto(public_base + path_of(webview))
    audit("view in browser")
    archive_key = db.session.scalar(select(MailingList.key).where(MailingList.name == "Weekly"))
    page.goto(f"{public_base}/archive/{archive_key}")
    audit("archive")
    page.goto(f"{public_base}/archive/{archive_key}/{sent.id}")
    audit("archived message")
    page.goto(f"{public_base}/no-such-page")
    audit("404")
    audit.check()


@pytest.fixture
def page(browser):
    """A tab whose pages accept the injected axe script whatever their CSP says."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_admin_pages_have_no_serious_violations(page, live_server, make_user, worker,
                                               smtp_server, artifacts):
    audit = Audit(page, artifacts, "admin")
    make_user("editor@example.com", "editor")
    sent = send("eva@example.com", worker=worker, subject="Issue one")
    mlist_id = db.session.scalar(select(MailingList.id))
    page.goto(f"{live_server}/admin/login")
    audit("login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    audit("login with an error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    audit("dashboard")
    for label, path in [("composer", "/admin/campaigns/new"),
                        ("campaign", f"/admin/campaigns/{sent.id}"),
                        ("campaign statistics", f"/admin/campaigns/{sent.id}/stats"),
                        ("statistics", "/admin/stats"),
                        ("contacts", "/admin/contacts"),
                        ("lists", "/admin/lists"),
                        ("list", f"/admin/lists/{mlist_id}"),
                        ("404", "/admin/no-such-page")]:
        page.goto(live_server + path)
        audit(label)
    page.goto(f"{live_server}/admin/campaigns/new")
    page.locator("details.text-part summary").click()  # the plain-text box, shown
    audit("composer with the plain-text version open")
    page.goto(f"{live_server}/admin/lists/{mlist_id}")
    page.get_by_label("E-mail").fill("not an address")
    page.get_by_role("button", name="Add contact").click()
    audit("list with a form error")
    audit.check()
