"""Defect 8 in Chromium: the outbox frame shows the whole message (its footer too), a link
inside it opens a new tab and leaves the outbox page as it was, and that click counts for
nobody."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from newsletter.extensions import db
from newsletter.models import Click
from tests import factories
from tests.browser.session import log_in
from tests.browser.test_slice import catcher  # noqa: F401 (fixture)
from tests.factories import composed, list_with_contacts
from tests.sending.helpers import start

pytestmark = pytest.mark.browser


def test_the_outbox_frame_fits_the_message_and_its_links_leave_it_alone(
        page, live_server, make_user, worker, catcher, artifacts):  # noqa: F811
    mlist = list_with_contacts("reader@example.com")
    paragraphs = "".join(f"<p>Paragraph {i} of a long letter.</p>" for i in range(60))
    campaign = factories.tested(composed(mlist, [
        {"type": "text", "text": paragraphs},
        {"type": "button", "label": "Visit the shop", "url": f"{live_server}/admin/login"},
    ], subject="A long letter"))
    start(campaign)
    worker()
    log_in(page, live_server, make_user)
    page.goto(f"{live_server}/admin/outbox")
    page.get_by_role("link", name="A long letter").click()
    frame_el = page.locator("#outbox-frame")
    expect(frame_el).to_have_class("preview outbox-frame sized")
    frame = page.frame_locator("#outbox-frame")
    footer = frame.get_by_role("link", name="Unsubscribe")
    expect(footer).to_be_attached()
    # the frame is as tall as the message: nothing to scroll inside it
    sizes = frame_el.evaluate(
        "f => [f.clientHeight, f.contentDocument.documentElement.scrollHeight]")
    assert sizes[0] >= sizes[1] > 1500, sizes
    page.screenshot(path=str(artifacts / "outbox-frame-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    sizes = frame_el.evaluate(
        "f => [f.clientHeight, f.contentDocument.documentElement.scrollHeight]")
    assert sizes[0] >= sizes[1], sizes
    page.screenshot(path=str(artifacts / "outbox-frame-390.png"), full_page=True)

    outbox_url = page.url
    with page.context.expect_page() as new_tab:
        frame.get_by_role("link", name="Visit the shop").click()
    opened = new_tab.value
    opened.wait_for_load_state()
    assert opened.url == f"{live_server}/admin/login"  # straight to the target, untracked
    assert page.url == outbox_url
    expect(frame.get_by_text("Paragraph 59 of a long letter.")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Click)) == 0
