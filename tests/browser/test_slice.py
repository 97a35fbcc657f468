"""The whole slice in Chromium: log in, make a list, add a contact, write a campaign, send
it through the real worker to the dev mail catcher, read it in the outbox."""

import re

import pytest
from playwright.sync_api import expect

from newsletter.channels import mailcatcher
from tests.conftest import PASSWORD, _allowed_smtp
from tests.smtp_server import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def catcher(app):
    port = free_port()
    controller = mailcatcher.start(app.config["OUTBOX_DIR"], port)
    _allowed_smtp.add(("127.0.0.1", port))
    app.config["SMTP_URL"] = None  # the dev default: mail goes to the catcher
    app.config["MAILCATCHER_PORT"] = port
    yield port
    _allowed_smtp.discard(("127.0.0.1", port))
    controller.stop()


def test_editor_sends_a_campaign_and_reads_it_in_the_outbox(
        page, live_server, make_user, worker, catcher, artifacts):
    make_user("editor@example.com", "editor")
    page.goto(f"{live_server}/admin/")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Lists").click()
    page.get_by_role("link", name="New list").click()
    page.get_by_label("Name").fill("Friends of the shop")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_text("List “Friends of the shop” created.")).to_be_visible()

    page.get_by_label("E-mail").fill("not an address")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_text("is not a valid e-mail address")).to_be_visible()
    page.get_by_label("E-mail").fill("reader@example.com")
    page.get_by_label("First name").fill("Rea")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("cell", name="reader@example.com")).to_be_visible()

    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("First issue")
    page.get_by_label("Subject").fill("Hello from the shop")
    page.get_by_label("Lists").select_option(label="Friends of the shop (1)")
    page.get_by_role("button", name="+ Text").click()
    page.get_by_role("textbox", name="Text 1").fill("Dear reader, our first newsletter.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible()

    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("has not been test-sent yet")).to_be_visible()
    page.get_by_role("button", name="Send to all recipients now").click()
    expect(page.get_by_text("Sending started: 1 recipient.")).to_be_visible()
    worker()
    page.reload()
    expect(page.locator('[data-stat="recipients"]')).to_have_text("1")
    expect(page.locator('[data-stat="sent"]')).to_have_text("1")
    expect(page.locator("#campaign-status")).to_have_text("finished")
    page.screenshot(path=str(artifacts / "slice-campaign-sent.png"), full_page=True)

    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("link", name="Hello from the shop").click()
    expect(page.locator("#text-part")).to_contain_text("our first newsletter.")
    expect(page.get_by_role("cell", name=re.compile("reader@example.com"))).not_to_have_count(0)
    page.screenshot(path=str(artifacts / "slice-outbox.png"), full_page=True)
