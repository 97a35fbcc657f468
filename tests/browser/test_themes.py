"""The theme page in Chromium: the preview follows the colour picker before anything is
saved."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_compose_journey import log_in

pytestmark = pytest.mark.browser


def test_theme_preview_follows_the_form_as_the_editor_changes_it(page, live_server,
                                                                 make_user, artifacts):
    log_in(page, live_server, make_user)
    page.goto(f"{live_server}/admin/themes/new")
    page.get_by_label("Primary colour").fill("#c01c28")
    page.get_by_label("Organization").fill("Green Shop Ltd.")
    frame = page.locator("#theme-preview")
    expect(frame).to_have_attribute("src", re.compile("primary_color=%23c01c28"))
    expect(page.frame_locator("#theme-preview").get_by_text("Green Shop Ltd.")).to_be_visible()
    page.screenshot(path=str(artifacts / "theme-editor.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "theme-editor-390.png"), full_page=True)
