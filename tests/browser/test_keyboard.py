"""Keyboard and screen-reader behaviour axe cannot measure: the focus ring's contrast,
where the focus lands after a reload (an error summary, a status message), the live
status of a campaign, text in another language marked with lang."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from newsletter import jobs
from newsletter.audience import profiles
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from newsletter.models import Contact
from tests.conftest import PASSWORD
from tests.factories import draft, list_with_contacts
from tests.public.helpers import public_list

pytestmark = pytest.mark.browser

#: the contrast between the focused element's outline and the background around it
RING_CONTRAST = """el => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let bg = el.parentElement;
  while (bg && getComputedStyle(bg).backgroundColor.match(/rgba\\(.*, 0\\)|transparent/))
    bg = bg.parentElement;
  const style = getComputedStyle(el);
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return 0;
  const a = lum(style.outlineColor), b = lum(getComputedStyle(bg || document.body).backgroundColor);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture
def public_base(app, live_server):
    app.config["BASE_URL"] = live_server
    return live_server


def focused_ring(page) -> float:
    return page.evaluate(f"({RING_CONTRAST})(document.activeElement)")


def test_the_focus_ring_has_3_to_1_contrast_wherever_the_tab_key_goes(
        page, live_server, make_user):
    mlist = public_list("Weekly news")
    page.goto(f"{live_server}/subscribe/{mlist.key}")
    rings = {}
    for _ in range(5):  # skip link, e-mail, first and last name, the button
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.id || document.activeElement.textContent")
        rings[name.strip()] = focused_ring(page)
    assert "Subscribe" in rings
    make_user("editor@example.com", "editor")
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".topbar nav")).to_be_visible()  # signed in: the dashboard
    page.keyboard.press("Tab")  # the first link of the dark top bar
    expect(page.locator(".topbar a").first).to_be_focused()
    rings["top bar: " + page.evaluate("document.activeElement.textContent")] = focused_ring(page)
    assert len(rings) >= 5
    low = {name: contrast for name, contrast in rings.items() if contrast < 3}
    assert not low, low


def test_after_a_refused_signup_the_focus_is_on_the_error_summary(page, public_base):
    mlist = public_list("Weekly news")
    page.goto(f"{public_base}/subscribe/{mlist.key}")
    page.get_by_label("E-mail").fill("reader@example")
    page.get_by_role("button", name="Subscribe").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please correct the marked fields.")
    expect(page.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("E-mail")).to_be_focused()


def test_after_a_switch_in_the_profile_the_focus_is_on_the_status_message(page, public_base):
    list_with_contacts("reader@example.com", name="Weekly")
    url = profiles.profile_url(db.session, db.session.scalar(select(Contact.id)))
    db.session.commit()
    page.goto(url)
    page.get_by_role("button", name="Turn off Weekly (E-mail)").click()
    status = page.get_by_role("status")
    expect(status).to_have_text("Your subscriptions were saved.")
    expect(status).to_be_focused()


def test_a_list_in_another_language_is_marked_with_its_language(page, public_base):
    mlist = public_list("Týždenník", language="sk", description="Správy každý týždeň")
    page.goto(f"{public_base}/subscribe/{mlist.key}?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('h1 span[lang="sk"]')).to_have_text("Týždenník")
    expect(page.locator('p span[lang="sk"]')).to_have_text("Správy každý týždeň")
    page.goto(f"{public_base}/subscribe/{mlist.key}?lang=sk")
    expect(page.locator("html")).to_have_attribute("lang", "sk")
    assert page.locator("[lang]").count() == 1  # the page alone: nothing differs


def test_the_campaign_status_is_announced_when_it_changes(page, live_server, make_user,
                                                          worker, smtp_server):
    make_user("editor@example.com", "editor")
    campaign = draft(list_with_contacts("a@example.com"))
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/admin/campaigns/{campaign.id}")
    announcer = page.locator("#status-announcer")
    expect(announcer).to_have_attribute("role", "status")
    expect(announcer).to_have_text("")
    jobs.enqueue_send(campaign.id)
    worker()
    expect(announcer).to_have_text("Campaign status: finished", timeout=15_000)


def test_the_plain_text_box_of_the_composer_has_a_label(page, live_server, make_user):
    make_user("editor@example.com", "editor")
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/admin/campaigns/new")
    page.get_by_text("Plain-text version", exact=True).first.click()  # opens the details
    box = page.get_by_role("textbox", name="Plain-text version")
    expect(box).to_be_visible()
    expect(box).to_have_accessible_description(
        "Generated from the blocks when you save, unless you tick the box above.")
