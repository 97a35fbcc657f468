"""The admin at 390 px (a phone): the main pages fit the screen, no sideways scrolling."""

import pytest

from tests.browser.test_compose_journey import log_in
from tests.conftest import PASSWORD
from tests.factories import composed, list_with_contacts

pytestmark = pytest.mark.browser
#: pages that show a message as a recipient gets it (its own width, in a frame elsewhere)
SHOWN_AS_SENT = {"/admin/themes/preview"}


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


def test_every_admin_page_fits_a_phone(page, app, live_server, make_user):
    """Every admin page without an id in its address, the composer and the forms that
    make things, as an owner on a 390 px phone: nothing wider than the screen (wide
    tables scroll inside their own box)."""
    campaign = composed(list_with_contacts("a@example.com"), [{"type": "text", "text": "x"}])
    make_user("owner@example.com", "owner")
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.set_viewport_size({"width": 390, "height": 844})
    paths = sorted(r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith(
        "admin.") and "GET" in r.methods and not r.arguments and r.rule not in SHOWN_AS_SENT)
    paths += ["/admin/campaigns/new", f"/admin/campaigns/{campaign.id}/edit",
              "/admin/segments/new", "/admin/sequences/new", "/admin/recurring/new",
              "/admin/senders/new", "/admin/channels/servers/new", "/admin/webhooks/new"]
    wide = []
    for path in paths:
        answer = page.goto(f"{live_server}{path}")
        if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        if page.evaluate("document.documentElement.scrollWidth") > 390:
            wide.append(path)
    assert not wide, wide
