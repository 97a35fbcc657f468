"""Pasting from a word processor into a text block keeps its HTML; saving sanitizes it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Campaign
from tests.browser.test_compose_journey import log_in
from tests.factories import list_with_contacts

pytestmark = pytest.mark.browser

WORD = ('<html><head><style>.MsoNormal{color:red}</style></head><body><!--StartFragment-->'
        '<p class="MsoNormal" style="margin:0">Our <b>spring</b> offer<o:p></o:p></p>'
        '<p onclick="steal()">Visit <a href="https://shop.example/">the shop</a></p>'
        '<script>alert(1)</script><!--EndFragment--></body></html>')


def test_paste_from_a_word_processor(page, live_server, make_user):
    list_with_contacts("a@example.com")
    log_in(page, live_server, make_user)
    page.goto(f"{live_server}/admin/campaigns/new")
    page.get_by_label("Campaign name").fill("Pasted")
    page.get_by_label("Subject").fill("Pasted offer")
    page.get_by_label("Lists").select_option(label="Weekly (1)")
    page.get_by_role("button", name="+ Text").click()
    page.get_by_role("button", name="HTML view of block 1").click()  # pasting into the HTML
    area = page.get_by_label("Text 1")
    area.fill("")
    area.focus()
    area.evaluate("""(el, html) => {
        const data = new DataTransfer();
        data.setData('text/html', html);
        data.setData('text/plain', 'Our spring offer');
        el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                      cancelable: true}));
    }""", WORD)
    expect(area).to_have_value(re.compile(r"^<p class=\"MsoNormal\".*<b>spring"))
    expect(page.frame_locator("#live-preview").get_by_text("spring")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible()
    html = db.session.scalar(select(Campaign.body_html))
    assert "Our <b>spring</b> offer" in html and '<a href="https://shop.example/">' in html
    assert "script" not in html and "onclick" not in html and "style=" not in html
