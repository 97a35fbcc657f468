"""In Chromium: an owner tops up the SMS quota, composes an SMS campaign with a merge tag
from the picker, watches the counter switch to UCS-2 on a diacritic, sends after the
confirmation with quota before and after, and reads the status tab and the SMS outbox."""

import pytest
from playwright.sync_api import expect

from newsletter.audience import lists
from newsletter.extensions import db
from tests.conftest import PASSWORD
from tests.sms.test_sending import sms_contact

pytestmark = pytest.mark.browser


def test_owner_composes_confirms_and_sends_an_sms_campaign(
        app, page, live_server, make_user, worker, artifacts):
    make_user("owner@example.com", "owner")
    mlist = lists.create_list(db.session, "Phones", optin="single")
    db.session.commit()
    sms_contact(mlist, "jan@example.sk", "+421905123456", first_name="Jan")
    sms_contact(mlist, "eva@example.sk", "+421905000002", first_name="Eva")

    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="SMS quota").click()
    page.get_by_label("Parts").fill("10")
    page.get_by_label("Note").fill("First order")
    page.get_by_role("button", name="Add parts").click()
    expect(page.locator('[data-balance="available"]')).to_have_text("10")

    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New SMS campaign").click()
    page.get_by_label("Name").fill("Weekend sale")
    page.get_by_label("Lists").select_option(str(mlist.id))
    text = page.get_by_label("Text", exact=True)
    text.fill("Hello ")
    page.get_by_label("Merge tag").select_option(label="First name")
    page.get_by_role("button", name="Add tag").click()  # inserted at the cursor by the script
    expect(text).to_have_value("Hello {{ first_name }}")
    text.press("End")
    text.type(", sale today")
    counter = page.locator("#sms-counter")
    expect(counter.locator('[data-count="encoding"]')).to_have_text("GSM-7")
    expect(counter.locator('[data-count="forced"]')).to_be_hidden()
    text.type(" – zľava")
    expect(counter.locator('[data-count="encoding"]')).to_have_text("UCS-2")
    expect(counter.locator('[data-count="forced_chars"]')).to_have_text("– ľ")
    expect(counter.locator('[data-count="per_part"]')).to_have_text("70")
    page.screenshot(path=str(artifacts / "sms-compose-ucs2.png"), full_page=True)
    page.get_by_label("Replace Slovak and Czech diacritics").check()
    expect(counter.locator('[data-count="encoding"]')).to_have_text("GSM-7")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("SMS campaign saved.")).to_be_visible()

    page.get_by_role("button", name="Send…").click()
    confirmation = page.locator("#sms-confirmation")
    expect(confirmation.locator('[data-confirm="messages"]')).to_have_text("2")
    expect(confirmation.locator('[data-confirm="parts"]')).to_have_text("2")
    expect(confirmation.locator('[data-confirm="available"]')).to_have_text("10")
    expect(confirmation.locator('[data-confirm="after"]')).to_have_text("8")
    page.screenshot(path=str(artifacts / "sms-confirmation.png"), full_page=True)
    page.get_by_role("button", name="Yes, send 2 messages").click()
    expect(page.get_by_text("Sending started: 2 recipients.")).to_be_visible()
    worker()
    page.reload()
    expect(page.locator('[data-stat="sent"]')).to_have_text("2")
    expect(page.locator("#campaign-status")).to_have_text("finished")
    page.screenshot(path=str(artifacts / "sms-status.png"), full_page=True)

    page.goto(f"{live_server}/admin/outbox/sms")
    expect(page.get_by_text("Hello Jan, sale today - zlava")).to_be_visible()
    page.goto(f"{live_server}/admin/sms/quota")
    expect(page.locator('[data-balance="available"]')).to_have_text("8")
    expect(page.locator("#sms-ledger")).to_contain_text("Sent")
