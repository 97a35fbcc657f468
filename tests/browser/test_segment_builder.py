"""In Chromium: an editor builds a segment (two groups), watches the live count follow
each change, saves it, and uses it as a campaign's audience."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.segments.world import build

pytestmark = pytest.mark.browser


def test_editor_builds_a_segment_with_a_live_count(page, live_server, make_user,
                                                     artifacts):
    make_user("editor@example.com", "editor")
    build()
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Segments").click()
    page.get_by_role("link", name="New segment").click()
    page.get_by_label("Name").fill("Bratislava readers")
    first = page.get_by_role("group", name="Condition 1 of group 1")
    first.get_by_label("Kind").select_option("attribute")
    first.get_by_label("Field or attribute").fill("city")
    first.get_by_label("Operator").select_option("equals")
    first.get_by_label("Value").fill("Bratislava")
    count = page.locator("#segment-count")
    expect(count).to_contain_text("3 contacts match now")  # ann, dan, eve

    page.get_by_role("button", name="Add a condition").click()  # a plain form button
    second = page.get_by_role("group", name="Condition 2 of group 1")
    second.get_by_label("Kind").select_option("list")
    second.get_by_label("Operator").select_option("member")
    second.get_by_label("Value").fill("Nowhere")
    expect(count).to_contain_text("No list 'Nowhere'")
    second.get_by_label("Value").fill("News")
    expect(count).to_contain_text("2 contacts match now")  # dan left News

    page.get_by_role("button", name="Add a group").click()
    page.get_by_label("Contacts who match").select_option("any")
    third = page.get_by_role("group", name="Condition 1 of group 2")
    third.get_by_label("Kind").select_option("bounced")
    third.get_by_label("Operator").select_option("yes")
    expect(count).to_contain_text("3 contacts match now")  # ... or cyd, who bounced
    page.screenshot(path=str(artifacts / "segment-builder.png"), full_page=True)
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_text("Segment “Bratislava readers” saved.")).to_be_visible()
    expect(count).to_contain_text("3 contacts match now")

    page.goto(f"{live_server}/admin/campaigns/new")
    page.get_by_label("Only contacts in the segment").select_option(label="Bratislava readers")
    page.get_by_label("Name").fill("Local news")
    page.get_by_label("Subject").fill("Hello")
    page.get_by_label("Lists").select_option(label="News (3)")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("(evaluated when the campaign starts)")).to_be_visible()
