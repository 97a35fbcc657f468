"""The admin at 390 px (a phone): the main pages fit the screen, no sideways scrolling."""

import pytest

from tests.browser.test_compose_journey import log_in
from tests.factories import composed, list_with_contacts

pytestmark = pytest.mark.browser


def test_main_admin_pages_fit_a_phone(page, live_server, make_user, artifacts):
    campaign = composed(list_with_contacts("a@example.com"), [{"type": "text", "text": "x"}])
    log_in(page, live_server, make_user)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (("dashboard", "/admin/"), ("campaigns", "/admin/campaigns"),
                       ("campaign", f"/admin/campaigns/{campaign.id}"),
                       ("lists", "/admin/lists"), ("themes", "/admin/themes"),
                       ("contacts", "/admin/contacts"), ("stats", "/admin/stats")):
        page.goto(f"{live_server}{path}")
        page.screenshot(path=str(artifacts / f"admin-390-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
