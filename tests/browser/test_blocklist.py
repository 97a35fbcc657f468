"""In Chromium: an editor adds a block-list entry, checks a campaign's recipients (who is
reachable, who is blocked and by which entry), sends, and sees the blocked recipients on
the campaign page."""

import pytest
from playwright.sync_api import expect

from tests.blocklist.world import campaign_for, firm_audience, make_world
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_editor_blocks_a_firm_and_checks_the_campaign(
        page, live_server, make_user, worker, smtp_server, artifacts):
    make_user("editor@example.com", "editor")
    campaign = campaign_for(firm_audience(make_world()))

    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Block list").click()
    expect(page.get_by_text("The block list is empty.")).to_be_visible()
    page.get_by_role("link", name="New entry").click()
    page.get_by_label("Organization").fill("Nobody Ltd")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_text("No organization is called 'Nobody Ltd'.")).to_be_visible()
    page.screenshot(path=str(artifacts / "blocklist-entry-error.png"), full_page=True)
    page.get_by_label("Organization").fill("XXX")
    page.get_by_label("SMS").check()
    page.get_by_label("Note").fill("The firm asked not to be contacted")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_text("Block-list entry #1 saved.")).to_be_visible()
    expect(page.locator("#entries")).to_contain_text("E-mail, SMS")
    page.screenshot(path=str(artifacts / "blocklist-entries.png"), full_page=True)

    page.goto(f"{live_server}/admin/campaigns/{campaign.id}")
    page.get_by_role("link", name="Check recipients").click()
    expect(page.locator('[data-stat="total"]')).to_have_text("3")
    expect(page.locator('[data-stat="reachable"]')).to_have_text("1")
    expect(page.locator('[data-stat="blocked"]')).to_have_text("2")
    blocked_row = page.locator('tr[data-address="office@xxx.sk"]')
    expect(blocked_row).to_contain_text("XXX Bratislava")
    expect(blocked_row).to_contain_text("blocked")
    expect(blocked_row).to_contain_text("#1")
    expect(blocked_row).to_contain_text("The firm asked not to be contacted")
    expect(page.locator('tr[data-address="jana@home.sk"]')).to_contain_text("reachable")
    page.screenshot(path=str(artifacts / "blocklist-check-recipients.png"), full_page=True)
    page.get_by_role("link", name="Show blocked only").click()
    expect(page.locator("#recipients tbody tr")).to_have_count(2)

    page.get_by_role("link", name="Back to the campaign").click()
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="Send to all recipients now").click()  # no test send yet
    expect(page.get_by_text("Sending started: 3 recipients.")).to_be_visible()
    worker()
    page.reload()
    expect(page.locator('[data-stat="sent"]')).to_have_text("1")
    expect(page.locator('[data-stat="blocked"]')).to_have_text("2")
    expect(page.locator("#blocked")).to_contain_text("jana@xxx.sk")
    expect(page.locator("#blocked")).to_contain_text("office@xxx.sk")
    page.screenshot(path=str(artifacts / "blocklist-campaign-blocked.png"), full_page=True)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["jana@home.sk"]]
