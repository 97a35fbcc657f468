"""The public pages at a phone's width (390 px) and a desktop's (1280 px): nothing wider
than the screen, in the subscriber's language, no serious axe finding at either width;
screenshots in tests/artifacts/."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from newsletter.audience import lists, profiles
from newsletter.extensions import db
from newsletter.models import Contact
from tests.browser.axe import assert_no_serious_violations
from tests.public.helpers import public_list

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_public_pages_fit_the_screen(browser, app, live_server, artifacts, width):
    app.config["BASE_URL"] = live_server
    mlist = public_list("Týždenník", language="sk", description="Správy každý týždeň")
    lists.add_contact_to_list(db.session, mlist.id, "citatel@example.com", first_name="Ján")
    db.session.get(Contact, db.session.scalar(select(Contact.id))).language = "sk"
    url = profiles.profile_url(db.session, db.session.scalar(select(Contact.id)))
    db.session.commit()
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="sk-SK",
                                  bypass_csp=True)  # the injected axe script
    page = context.new_page()
    pages = {"signup": f"{live_server}/subscribe/{mlist.key}", "profile": url,
             "archive": f"{live_server}/archive/{mlist.key}",
             "404": f"{live_server}/nic-tu-nie-je"}
    for name, address in pages.items():
        page.goto(address)
        expect(page.locator("html")).to_have_attribute("lang", "sk")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert_no_serious_violations(page, f"{name} at {width} px")
        page.screenshot(path=str(artifacts / f"public-{name}-{width}.png"), full_page=True)
        if name == "profile":  # the consent's "how" in words, not the stored source text
            expect(page.locator('section[aria-labelledby="h-consent"]')).to_contain_text(
                "zadal náš tím")
    expect(page.get_by_role("heading", name="Stránka sa nenašla")).to_be_visible()
    context.close()
