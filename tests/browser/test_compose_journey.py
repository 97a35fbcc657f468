"""The composer journey in Chromium: compose with blocks, preview at mobile width, test
send, send, click a link in the received message, see the click in the statistics."""

import re
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from newsletter.extensions import db
from newsletter.models import Contact
from tests.conftest import PASSWORD
from tests.factories import composed, list_with_contacts

pytestmark = pytest.mark.browser


def log_in(page, live_server, make_user):
    make_user("editor@example.com", "editor")
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


@pytest.fixture
def shop():
    """The shop the newsletter links to: a small web server on loopback."""

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = b"<!doctype html><title>Shop</title><h1>Spring collection</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def compose(page, shop):
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Campaign name").fill("Spring issue")
    page.get_by_label("Subject").fill('Spring news for {{ first_name | default("you") }}')
    page.get_by_label("Lists").select_option(label="Weekly (1)")
    page.get_by_role("button", name="+ Heading").click()
    page.get_by_label("Heading 1 text").fill("Spring is here")
    page.get_by_role("button", name="+ Text").click()
    page.get_by_role("button", name="HTML view of block 2").click()  # HTML, as typed
    page.get_by_label("Text 2").fill('<p>Dear {{ first_name | default("friend") }},</p>'
                                     "<p>our spring collection has arrived.</p>")
    page.get_by_role("button", name="+ Two columns").click()
    page.get_by_label("Left column 3").fill("<h3>Shoes</h3><p>Light and green.</p>")
    page.get_by_label("Right column 3").fill("<h3>Coats</h3><p>For April showers.</p>")
    page.get_by_role("button", name="+ Button").click()
    page.get_by_label("Button 4 label").fill("See the collection")
    page.get_by_label("Button 4 link").fill(f"{shop}/spring")
    # reorder: the heading goes below the text and back up again
    page.get_by_role("button", name="Move block 1 down").click()
    expect(page.locator("fieldset.block legend").first).to_have_text("1. Text")
    page.get_by_role("button", name="Move block 2 up").click()
    expect(page.locator("fieldset.block legend").first).to_have_text("1. Heading")


def check_preview(page, artifacts):
    preview = page.frame_locator("#live-preview")
    expect(preview.get_by_text("Spring is here")).to_be_visible()
    expect(preview.get_by_text("Dear Jana,")).to_be_visible()  # sample merge data
    page.get_by_role("button", name="Mobile (320 px)").click()
    frame = page.locator("#live-preview")
    expect(frame).to_have_attribute("class", re.compile("mobile"))
    page.wait_for_function(
        "document.getElementById('live-preview').getBoundingClientRect().width <= 322")
    # the two columns stack on a phone: the right column sits below the left one
    left = preview.get_by_text("Light and green.").bounding_box()
    right = preview.get_by_text("For April showers.").bounding_box()
    assert right["y"] > left["y"] + left["height"] - 1
    frame.screenshot(path=str(artifacts / "compose-preview-mobile.png"))
    page.screenshot(path=str(artifacts / "compose-editor.png"), full_page=True)


def test_compose_test_send_send_click_and_see_statistics(
        page, live_server, app, make_user, worker, smtp_server, artifacts, shop):
    app.config["BASE_URL"] = live_server  # links in messages point at this server
    list_with_contacts("reader@example.com")
    db.session.query(Contact).update({"first_name": "Rea"})
    db.session.commit()
    log_in(page, live_server, make_user)

    compose(page, shop)
    check_preview(page, artifacts)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible()

    page.get_by_role("link", name="Test send").click()
    page.get_by_label("Send a test to").fill("boss@example.com, desk@example.com")
    page.get_by_label("Use the merge data of the contact").fill("reader@example.com")
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_text("Test message on its way to boss@example.com")).to_be_visible()
    worker()
    tests = [message_from_bytes(m.data, policy=policy.default) for m in smtp_server.messages]
    assert sorted(m["To"] for m in tests) == ["boss@example.com", "desk@example.com"]
    assert tests[0]["Subject"] == "[Test] Spring news for Rea"
    smtp_server.reset()

    page.get_by_role("button", name="Send").click()  # tested: still asks, with the count
    expect(page.get_by_role("heading", name="Send “Spring issue” to 1 recipient?")).to_be_visible()
    expect(page.get_by_text("has not been test-sent")).to_have_count(0)
    expect(page.locator("#send-warnings")).to_contain_text("First send to")  # never mailed
    page.get_by_role("button", name="Send to all recipients now").click()
    expect(page.get_by_text("Sending started: 1 recipient.")).to_be_visible()
    worker()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["reader@example.com"]]
    msg = message_from_bytes(smtp_server.messages[0].data, policy=policy.default)
    assert msg["Subject"] == "Spring news for Rea"
    html = msg.get_body(("html",)).get_content()
    assert "Dear Rea," in html
    button = re.search(r'<a class="nl-button-link" href="([^"]+)"', html).group(1)
    assert button.startswith(f"{live_server}/c/") and shop not in button

    page.goto(button)
    assert page.url == f"{shop}/spring"
    expect(page.get_by_role("heading", name="Spring collection")).to_be_visible()
    worker()  # the click recording job

    page.goto(f"{live_server}/admin/campaigns")  # the list (the dashboard links to the stats)
    page.get_by_role("link", name="Spring issue").click()
    page.get_by_role("link", name="Statistics").last.click()
    expect(page.locator('[data-stat="sent"]')).to_have_text("1")
    expect(page.locator('[data-stat="unique_clicks"]')).to_have_text("1")
    expect(page.locator("#link-stats")).to_contain_text(f"{shop}/spring")
    expect(page.locator(".chart svg rect")).to_have_count(1)
    page.screenshot(path=str(artifacts / "compose-statistics.png"), full_page=True)


def test_contact_field_autocompletes_from_the_server(page, live_server, make_user):
    mlist = list_with_contacts(*[f"c{i}@example.com" for i in range(60)], "zora@example.com")
    campaign = composed(mlist, [{"type": "text", "text": "x"}])
    log_in(page, live_server, make_user)
    page.goto(f"{live_server}/admin/campaigns/{campaign.id}/test")
    options = page.locator("#contact-emails option")
    expect(options).to_have_count(50)  # without typing: the first contacts
    page.get_by_label("Use the merge data of the contact").press_sequentially("zo")
    expect(options).to_have_count(1)  # zora is not among the first 50: the server found her
    assert options.first.get_attribute("value") == "zora@example.com"
