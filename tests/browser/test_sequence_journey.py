"""In Chromium: an editor creates a welcome sequence with two steps (each message composed
like a campaign), reads the note that an edit reaches only contacts who have not reached a
step, activates it; a new subscriber gets the first step and the page counts it. Screenshots
at 1280 and 390 px go to tests/artifacts/."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from newsletter import jobs
from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.models import Sequence, utcnow
from tests.automation.sequence_helpers import subjects_to
from tests.browser.axe import BLOCKING, describe, violations
from tests.browser.session import log_in
from tests.factories import list_with_contacts

pytestmark = pytest.mark.browser
NOTE = "affects only contacts who have not reached it"


@pytest.fixture
def page(browser):
    """axe is injected into the pages, past their Content-Security-Policy."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _add_step(page, subject: str, delay: str, unit: str, starter: str) -> None:
    page.get_by_role("link", name="Add a step").click()
    expect(page.locator("#edit-note")).to_contain_text(NOTE)
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Wait").fill(delay)
    page.get_by_label("Unit").select_option(unit)
    page.get_by_label("Start from").select_option(label=f"{starter} (starter)")
    page.get_by_role("button", name="Add the step and compose its message").click()
    expect(page.locator("#sequence-step-note")).to_contain_text("have not reached this step")
    page.get_by_role("button", name="Save draft").click()
    page.locator("#sequence-step-note").get_by_role("link").click()


def test_editor_builds_a_welcome_sequence(page, live_server, make_user, artifacts,
                                          worker, smtp_server):
    list_with_contacts("before@example.com", name="Readers")
    log_in(page, live_server, make_user)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Sequences").click()
    page.get_by_role("link", name="New sequence").click()
    page.get_by_label("Name").fill("Welcome")
    page.get_by_label("List").select_option(label="Readers")
    page.get_by_label("Starts when").select_option("confirmation")
    page.get_by_role("button", name="Save sequence").click()
    expect(page.get_by_text("Now add its first step")).to_be_visible()

    page.get_by_label("Name").fill("")  # bad input: the error is shown, the rest kept
    page.get_by_role("button", name="Save sequence").click()
    expect(page.locator(".has-error")).to_be_visible()
    page.get_by_label("Name").fill("Welcome")
    page.get_by_role("button", name="Save sequence").click()

    _add_step(page, "Welcome, {{ first_name }}", "0", "minutes", "Announcement")
    _add_step(page, "Tips for your first week", "3", "days", "Newsletter")
    steps = page.locator("#steps tbody tr")
    expect(steps).to_have_count(2)
    expect(steps.nth(1)).to_contain_text("3 days after the previous step")
    expect(page.locator("#edit-note")).to_contain_text(NOTE)
    page.get_by_role("button", name="Activate the sequence").click()
    expect(page.locator("#sequence-status")).to_have_text("active")

    sequence = db.session.scalar(select(Sequence))
    mlist = sequence.mailing_list
    lists.add_contact_to_list(db.session, mlist.id, "new@example.com", first_name="Nora")
    db.session.commit()
    jobs.run_sequence(sequence.id, utcnow().isoformat())
    worker()
    assert subjects_to(smtp_server, "new@example.com") == ["Welcome, Nora"]
    assert subjects_to(smtp_server, "before@example.com") == []
    page.reload()
    expect(steps.nth(0).locator('[data-stat="sent"]')).to_have_text("1")
    expect(steps.nth(1).locator('[data-stat="waiting"]')).to_have_text("1")
    page.screenshot(path=str(artifacts / "sequence-1280.png"), full_page=True)
    serious = [v for v in violations(page) if v["impact"] in BLOCKING]
    assert not serious, describe(serious)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390"
    page.screenshot(path=str(artifacts / "sequence-390.png"), full_page=True)
    page.get_by_role("link", name="Delay").nth(1).click()
    page.screenshot(path=str(artifacts / "sequence-step-390.png"), full_page=True)
    serious = [v for v in violations(page) if v["impact"] in BLOCKING]
    assert not serious, describe(serious)
