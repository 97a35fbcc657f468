"""The editor's everyday screens in Chromium: the dashboard's chart and its table, the
campaign list (search, filter, duplicate), scheduling in the account's time zone."""

import re

import pytest
from playwright.sync_api import expect

from newsletter.extensions import db
from newsletter.models import Campaign
from tests import factories
from tests.browser.session import log_in
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start

pytestmark = pytest.mark.browser


def test_dashboard_chart_with_its_table(page, live_server, make_user, worker, artifacts):
    mlist = list_with_contacts(*(f"r{i}@example.com" for i in range(5)))
    start(factories.tested(draft(mlist, subject="May news")))
    worker()
    log_in(page, live_server, make_user)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    chart = page.locator("#growth-chart")
    expect(chart).to_have_attribute("data-drawn", "1")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(page.locator("#growth-summary")).to_contain_text("5 confirmed e-mail subscriptions")
    expect(page.locator("#recent-table")).to_contain_text("100.0 %")
    page.get_by_text("The numbers per day (table)").click()
    expect(page.locator("#growth-table tbody tr")).to_have_count(30)
    page.screenshot(path=str(artifacts / "dashboard-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(chart).to_have_attribute("data-drawn", "1")
    width = chart.locator("canvas").evaluate("c => c.getBoundingClientRect().width")
    assert width <= 390
    page.screenshot(path=str(artifacts / "dashboard-390.png"), full_page=True)


def test_find_duplicate_and_schedule_in_my_time_zone(page, live_server, make_user,
                                                    artifacts):
    weekly = list_with_contacts("a@example.com", name="Weekly")
    monthly = list_with_contacts("b@example.com", name="Monthly")
    for i in range(3):
        draft(weekly, subject=f"Weekly {i}")
    june = draft(monthly, subject="June sale")
    june.name = "June sale"
    db.session.commit()
    log_in(page, live_server, make_user)

    page.get_by_role("link", name="editor@example.com").click()
    page.get_by_label("Your time zone").select_option("Europe/Bratislava")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Times are now shown in Europe/Bratislava.")).to_be_visible()

    page.get_by_role("link", name="Campaigns", exact=True).click()
    expect(page.locator("#campaign-count")).to_have_text("4 campaigns")
    page.get_by_label("Search").fill("june")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#campaign-count")).to_have_text("1 campaign matches")
    page.get_by_label("Search").fill("")
    page.get_by_label("List").select_option(label="Weekly")
    page.get_by_label("Sort").select_option(label="Name A–Z")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#campaign-table tbody tr")).to_have_count(3)
    page.screenshot(path=str(artifacts / "campaign-list-1280.png"), full_page=True)
    page.get_by_label("List").select_option(label="Any list")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("button", name="Duplicate June sale").click()
    expect(page.get_by_text("Duplicated: this is the copy")).to_be_visible()
    expect(page.get_by_label("Campaign name")).to_have_value("Copy of June sale")
    copy_id = int(page.url.split("/")[-2])

    page.goto(f"{live_server}/admin/campaigns/{copy_id}")
    page.get_by_text("Send later").click()
    page.get_by_label("Send at (your time, Europe/Bratislava)").fill("2099-12-24T18:00")
    page.get_by_label("…or after a delay (minutes)").fill("15")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("not both")).to_be_visible()
    page.get_by_text("Send later").click()
    page.get_by_label("Send at (your time, Europe/Bratislava)").fill("2099-12-24T18:00")
    if page.get_by_label("Send despite the warnings above").count():
        page.get_by_label("Send despite the warnings above").check()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", name="2099-12-24 18:00 CET (Europe/Bratislava)")) \
        .to_be_visible()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Scheduled for 2099-12-24 18:00 CET (Europe/Bratislava).")) \
        .to_be_visible()
    db.session.expire_all()
    assert db.session.get(Campaign, copy_id).send_at.hour == 17  # stored in UTC
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/admin/campaigns?state=scheduled")
    expect(page.locator("#campaign-table")).to_contain_text("CET (Europe/Bratislava)")
    page.screenshot(path=str(artifacts / "campaign-list-390.png"), full_page=True)


def test_contacts_select_all_matching_and_add_them_to_a_list(page, live_server, make_user,
                                                             artifacts):
    list_with_contacts(*(f"reader{i:02}@example.sk" for i in range(60)), "x@example.com")
    news = list_with_contacts(name="News")
    log_in(page, live_server, make_user)
    page.get_by_role("link", name="Contacts").click()
    expect(page.locator("#contact-total")).to_have_text("61 contacts.")
    page.get_by_label("Search").fill("reader")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#contact-total")).to_have_text("60 contacts match the search.")
    expect(page.get_by_label("List", exact=True).last).to_be_hidden()  # only for list actions
    page.get_by_label("Select all 50 on this page").check()
    expect(page.locator("#ticked-count")).to_have_text("50")
    page.get_by_role("button", name="Select all 60 found").click()
    expect(page.get_by_label("all 60 found")).to_be_checked()
    page.get_by_label("Action").select_option(label="Add to list")
    page.locator("#to_list").select_option(label="News")
    page.screenshot(path=str(artifacts / "contacts-bulk-1280.png"), full_page=True)
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_text("60 contacts added to the list.")).to_be_visible()
    expect(page.get_by_label("Search")).to_have_value("reader")  # the search is kept
    page.goto(f"{live_server}/admin/contacts?list_id={news.id}")
    expect(page.locator("#contact-total")).to_have_text("60 contacts match the search.")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "contacts-bulk-390.png"), full_page=True)


def test_composer_blocks_without_reload_drag_and_drop_autosave(page, live_server, make_user,
                                                              artifacts):
    list_with_contacts("a@example.com", name="Weekly")
    log_in(page, live_server, make_user)
    page.goto(f"{live_server}/admin/campaigns/new")
    page.get_by_label("Campaign name").fill("Autumn issue")
    page.get_by_label("Subject").fill("Autumn news")
    page.get_by_label("Preheader").fill("Leaves, tea and 20 % off")
    expect(page.locator("#preview-inbox")).to_contain_text("Autumn news — Leaves, tea and 20 % off")
    page.get_by_label("Lists").select_option(label="Weekly (1)")
    page.evaluate("window.__samePage = true")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.get_by_role("button", name="+ Heading").click()
    expect(page.get_by_label("Heading 1 text")).to_be_focused()
    page.get_by_label("Heading 1 text").fill("First heading")
    page.get_by_role("button", name="+ Text").click()
    expect(page.get_by_role("textbox", name="Text 2")).to_be_visible()  # the rich-text editor
    page.get_by_role("textbox", name="Text 2").fill("Some words")
    page.get_by_role("button", name="+ Heading").click()
    page.get_by_label("Heading 3 text").fill("Moved heading")
    assert page.evaluate("window.__samePage") is True  # no reload so far

    # drag block 3 by its handle above block 2
    blocks = page.locator("fieldset.block")
    handle = blocks.nth(2).locator(".block-handle").bounding_box()
    second = blocks.nth(1).bounding_box()
    page.mouse.move(handle["x"] + 4, handle["y"] + 4)
    page.mouse.down()
    page.mouse.move(handle["x"] + 4, handle["y"] - 20, steps=5)
    page.mouse.move(second["x"] + 20, second["y"] + second["height"] / 3, steps=15)
    page.wait_for_timeout(600)  # Sortable waits for its animation before the next move
    page.mouse.up()
    expect(page.get_by_label("Heading 2 text")).to_have_value("Moved heading")
    expect(page.get_by_role("textbox", name="Text 3")).to_have_text("Some words")
    expect(page.locator("#blocks-2-text")).to_have_value("<p>Some words</p>")
    expect(page.locator("#blocks-status")).to_have_text("Block moved.")
    page.get_by_role("button", name="Move block 2 up").click()
    expect(page.get_by_label("Heading 1 text")).to_have_value("Moved heading")
    expect(page.get_by_label("Heading 2 text")).to_have_value("First heading")
    page.get_by_role("button", name="Remove block 3").click()
    expect(page.locator("#blocks-status")).to_have_text("Block removed. 2 left.")
    expect(page.locator("fieldset.block")).to_have_count(2)
    assert page.evaluate("window.__samePage") is True

    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)
    expect(page).to_have_url(re.compile(r"/admin/campaigns/\d+/edit$"))
    preview = page.frame_locator("#live-preview")
    expect(preview.get_by_text("Moved heading")).to_be_visible()  # the preview follows
    expect(preview.get_by_text("Some words")).to_have_count(0)
    page.screenshot(path=str(artifacts / "composer-1280.png"), full_page=True)
    campaign_id = int(page.url.split("/")[-2])
    db.session.expire_all()
    saved = db.session.get(Campaign, campaign_id)
    assert saved.preheader == "Leaves, tea and 20 % off"
    assert [b["text"] for b in saved.blocks if b["type"] == "heading"] == [
        "Moved heading", "First heading"]
    assert db.session.query(Campaign).count() == 1
    assert errors == []  # nothing refused by the page's CSP, no script error

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible(timeout=15_000)
    expect(page).to_have_url(f"{live_server}/admin/campaigns/{campaign_id}")
    assert db.session.query(Campaign).count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/admin/campaigns/{campaign_id}/edit")
    expect(page.locator("#preview-inbox")).to_contain_text("Autumn news")
    page.screenshot(path=str(artifacts / "composer-390.png"), full_page=True)
