"""Public pages wear the list's theme: its logo, colours made readable, a link back to the
owner's site; centred on a wide screen and readable at 320 px; no serious axe finding.
And an admin page for an account that chose German. Screenshots in tests/artifacts/."""

import re
import struct
import zlib

import pytest
from playwright.sync_api import expect

from newsletter.content import themes
from newsletter.content.colours import contrast
from newsletter.extensions import db
from newsletter.models import MailingList
from tests.browser.axe import assert_no_serious_violations
from tests.browser.session import log_in
from tests.public.helpers import public_list

pytestmark = pytest.mark.browser


def png(width: int = 120, height: int = 40, rgb=(230, 160, 60)) -> bytes:
    """A plain PNG logo, made here (no image library needed)."""
    row = b"\x00" + bytes(rgb) * width
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def rgb(css: str) -> str:
    r, g, b = (int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@pytest.mark.parametrize("width", [1280, 390, 320])
def test_signup_page_wears_the_lists_dark_theme(browser, app, live_server, artifacts, width):
    app.config["BASE_URL"] = live_server
    theme = themes.save_theme(
        db.session, None, logo=("acme.png", png()), site_url="https://acme.example/",
        name="Night", primary_color="#f4a261", background_color="#0b2e24",
        text_color="#ffffff", font_family="Georgia, 'Times New Roman', serif",
        organization="Acme Tea", contact_details="", legal_notice="")
    mlist = public_list("Tea letter", description="Our teas every month")
    db.session.get(MailingList, mlist.id).theme_id = theme.id
    db.session.commit()
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB",
                                  bypass_csp=True)  # the injected axe script
    page = context.new_page()
    for name, address in {"signup": f"{live_server}/subscribe/{mlist.key}",
                          "archive": f"{live_server}/archive/{mlist.key}"}.items():
        page.goto(address)
        back = page.get_by_role("link", name="Back to Acme Tea")
        expect(back).to_have_attribute("href", "https://acme.example/")
        logo = page.get_by_role("img", name="Acme Tea")
        expect(logo).to_be_visible()
        assert page.evaluate("document.querySelector('.site-logo').naturalWidth") == 120
        background = rgb(page.evaluate(
            "getComputedStyle(document.documentElement).backgroundColor"))
        assert background == "#0b2e24"
        assert contrast(rgb(back.evaluate("e => getComputedStyle(e).color")), background) >= 4.5
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        main = page.locator("main").bounding_box()
        assert abs(main["x"] + main["width"] / 2 - width / 2) <= 2  # centred
        assert_no_serious_violations(page, f"themed {name} at {width} px")
        page.screenshot(path=str(artifacts / f"public-theme-{name}-{width}.png"),
                        full_page=True)
    page.goto(f"{live_server}/subscribe/{mlist.key}")
    button = page.get_by_role("button", name="Subscribe")
    colours = button.evaluate("e => [getComputedStyle(e).color,"
                              " getComputedStyle(e).backgroundColor]")
    # the light accent would vanish on the white card (under 3:1): the button turns dark,
    # with its text readable on it
    assert contrast("#f4a261", "#ffffff") < 3 and rgb(colours[1]) == "#111827"
    assert contrast(rgb(colours[0]), rgb(colours[1])) >= 4.5
    context.close()


def test_admin_page_in_german_for_an_account_that_chose_german(
        browser, app, live_server, make_user, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server, make_user)
    page.goto(f"{live_server}/admin/account")
    page.get_by_label("Language of the administration").select_option("de")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Gespeichert.")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_role("link", name="Übersicht", exact=True).first.click()
    expect(page.get_by_role("heading", name="Übersicht", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Laufende und geplante Versände")).to_be_visible()
    assert_no_serious_violations(page, "German dashboard")
    # the chart's words and dates too: its legend names the day in German and writes the
    # date the German way ("30.11.2026"), not uPlot's English "Time" and "11/30"
    expect(page.locator("#growth-chart")).to_have_attribute("data-drawn", "1")
    legend = page.locator("#growth-chart .u-legend")
    expect(legend).to_contain_text("Tag")
    expect(legend).not_to_contain_text("Time")
    page.locator("#growth-chart .u-over").hover()
    expect(legend.locator(".u-series").first).to_contain_text(re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}"))
    page.screenshot(path=str(artifacts / "admin-dashboard-de-1280.png"), full_page=True)
    page.goto(f"{live_server}/admin/campaigns")
    expect(page.get_by_role("heading", name="Kampagnen", level=1)).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-campaigns-de-1280.png"), full_page=True)
    context.close()
