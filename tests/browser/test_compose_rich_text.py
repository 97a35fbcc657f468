"""Text blocks in Chromium: written with the rich-text editor (bold, a link, a bulleted
list, a heading), shown as HTML and back, saved, and test-sent through a real SMTP server;
a removed block comes back with Undo and stays after autosave and save."""

import re
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

from newsletter.extensions import db
from newsletter.models import Campaign
from tests.browser.axe import assert_no_serious_violations
from tests.browser.test_compose_journey import log_in
from tests.factories import composed, list_with_contacts

pytestmark = pytest.mark.browser


def new_campaign(page, live_server, name="Spring sale"):
    page.goto(f"{live_server}/admin/campaigns/new")
    page.get_by_label("Campaign name").fill(name)
    page.get_by_label("Subject").fill("Our spring sale")
    page.get_by_label("Lists").select_option(label="Weekly (1)")


def write_rich_text(page):
    """Types the text as an editor would: shortcuts, toolbar buttons, the link box."""
    editor = page.get_by_role("textbox", name="Text 1")
    expect(editor).to_contain_text("Write something here.")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Big news")
    page.get_by_role("button", name="Paragraph or heading").click()  # Quill's heading picker
    page.locator(".ql-picker-item[data-value='2']").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type('Dear {{ first_name | default("friend") }}, our ')
    page.keyboard.press("Control+B")
    page.keyboard.type("spring sale")
    page.keyboard.press("Control+B")
    page.keyboard.type(" starts today in the shop.")
    # a link on the word "shop"
    for _ in range(len(".")):
        page.keyboard.press("ArrowLeft")
    for _ in range(len("shop")):
        page.keyboard.press("Shift+ArrowLeft")
    page.get_by_role("button", name="Link", exact=True).click()
    page.get_by_label("Link address").fill("https://shop.example/spring")
    page.get_by_label("Link address").press("Enter")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Bulleted list").click()
    page.keyboard.type("Shoes")
    page.keyboard.press("Enter")
    page.keyboard.type("Coats")


def test_rich_text_block_is_saved_sanitized_and_mailed(page, live_server, app, make_user,
                                                       worker, smtp_server, artifacts):
    list_with_contacts("reader@example.com")
    log_in(page, live_server, make_user)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    new_campaign(page, live_server)
    page.get_by_role("button", name="+ Text").click()
    expect(page.get_by_role("textbox", name="Text 1")).to_be_focused()
    write_rich_text(page)

    area = page.locator("textarea[name='blocks-0-text']")  # the form field, kept in step
    expect(area).to_be_hidden()
    expect(area).to_have_value(re.compile(r"<strong>spring sale</strong>"))
    value = area.input_value()
    assert "<h2>Big news</h2>" in value
    assert 'default("friend")' in value and "&nbsp;" not in value
    assert re.search(r'<a href="https://shop.example/spring"[^>]*>shop</a>', value)
    assert re.search(r"<ul><li>Shoes</li><li>Coats</li></ul>", value)
    preview = page.frame_locator("#live-preview")
    expect(preview.get_by_text("Dear Jana, our")).to_be_visible()  # sample merge data
    expect(preview.locator("ul li")).to_have_count(2)
    page.screenshot(path=str(artifacts / "rich-text-1280.png"), full_page=True)

    # the HTML view shows (and edits) the same field; back in the editor the change is there
    page.get_by_role("button", name="HTML view of block 1").click()
    expect(page.get_by_role("button", name="HTML view of block 1")).to_have_attribute(
        "aria-pressed", "true")
    html_view = page.get_by_label("Text 1")
    expect(html_view).to_be_visible()
    expect(page.locator(".ql-editor")).to_be_hidden()
    html_view.fill(html_view.input_value().replace("Coats", "Coats and <em>hats</em>"))
    page.screenshot(path=str(artifacts / "rich-text-html-view-1280.png"), full_page=True)
    page.get_by_role("button", name="HTML view of block 1").click()
    editor = page.get_by_role("textbox", name="Text 1")
    expect(editor.locator("em")).to_have_text("hats")
    expect(editor.locator("strong")).to_have_text("spring sale")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("fieldset.block").first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "rich-text-390.png"))
    assert page.evaluate("document.querySelector('.rte').getBoundingClientRect().right") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible(timeout=15_000)
    db.session.expire_all()
    saved = db.session.query(Campaign).one()
    assert "<strong>spring sale</strong>" in saved.body_html
    assert "<ul><li>Shoes</li><li>Coats and <em>hats</em></li></ul>" in saved.body_html
    assert 'target="_blank"' not in saved.body_html  # the allow-list kept only href

    page.get_by_role("link", name="Test send").click()
    page.get_by_label("Send a test to").fill("boss@example.com")
    page.get_by_label("Use the merge data of the contact").fill("reader@example.com")
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_text("Test message on its way to boss@example.com")).to_be_visible()
    worker()
    [sent] = [message_from_bytes(m.data, policy=policy.default) for m in smtp_server.messages]
    mail = sent.get_body(("html",)).get_content()
    assert re.search(r"<strong[^>]*>spring sale</strong>", mail)
    assert re.search(r'<a [^>]*href="[^"]+"[^>]*>shop</a>', mail)
    assert re.search(r"<ul[^>]*>\s*<li[^>]*>Shoes</li>\s*<li[^>]*>Coats and <em", mail)
    assert re.search(r"<h2[^>]*>Big news</h2>", mail)
    assert "Dear Test, our" in mail  # the merge tag survived the editor
    text = sent.get_body(("plain",)).get_content()
    assert "spring sale" in text and "Shoes" in text
    assert errors == []  # nothing refused by the page's CSP, no script error


def test_rich_text_editor_and_undo_pass_axe(browser, live_server, make_user):
    """axe-core on the composer with a text block in the editor, in the HTML view, and
    with a removal to undo (the injected script needs the page's CSP bypassed)."""
    list_with_contacts("reader@example.com")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server, make_user)
        new_campaign(page, live_server, name="Audited")
        page.get_by_role("button", name="+ Text").click()
        page.get_by_role("button", name="+ Divider").click()
        expect(page.get_by_role("textbox", name="Text 1")).to_be_visible()
        assert_no_serious_violations(page, "composer with the rich-text editor")
        page.get_by_role("textbox", name="Text 1").click()
        page.keyboard.press("Control+A")
        page.get_by_role("button", name="Link", exact=True).click()
        expect(page.get_by_label("Link address")).to_be_visible()
        assert_no_serious_violations(page, "composer with the link box open")
        page.get_by_label("Link address").press("Escape")
        editor = page.get_by_role("textbox", name="Text 1")
        editor.press("Tab")  # no keyboard trap: Tab and Shift+Tab leave the editor
        expect(page.get_by_role("button", name="Move block 1 down")).to_be_focused()
        page.keyboard.press("Shift+Tab")
        expect(editor).to_be_focused()
        page.keyboard.press("Shift+Tab")
        expect(page.get_by_role("button", name="HTML view of block 1")).to_be_focused()
        page.get_by_role("button", name="HTML view of block 1").click()
        assert_no_serious_violations(page, "composer in the HTML view")
        page.get_by_role("button", name="Remove block 2").click()
        expect(page.get_by_role("button", name="Undo the removal of block 2")).to_be_visible()
        assert_no_serious_violations(page, "composer offering Undo")
    finally:
        context.close()


def test_html_the_editor_cannot_show_opens_as_html(page, live_server, make_user, artifacts):
    mlist = list_with_contacts("reader@example.com")
    campaign = composed(mlist, [{"type": "text", "text": '<table role="presentation"><tr>'
                                 "<td>Price list</td></tr></table>"}])
    log_in(page, live_server, make_user)
    page.goto(f"{live_server}/admin/campaigns/{campaign.id}/edit")
    expect(page.get_by_text("This text has HTML the editor cannot show")).to_be_visible()
    expect(page.get_by_label("Text 1")).to_have_value(re.compile("<table"))
    expect(page.locator(".ql-editor")).to_be_hidden()
    page.locator("fieldset.block").first.screenshot(
        path=str(artifacts / "rich-text-lossy-1280.png"))
    page.once("dialog", lambda dialog: dialog.dismiss())  # "drops that HTML": no
    page.get_by_role("button", name="HTML view of block 1").click()
    expect(page.get_by_label("Text 1")).to_have_value(re.compile("<table"))
    expect(page.locator(".ql-editor")).to_be_hidden()  # dismissed: still the HTML view
    page.once("dialog", lambda dialog: dialog.accept())  # now yes: the editor, the text kept
    page.get_by_role("button", name="HTML view of block 1").click()
    expect(page.get_by_role("textbox", name="Text 1")).to_have_text("Price list")


def test_undo_the_last_block_removal(page, live_server, make_user, artifacts):
    list_with_contacts("reader@example.com")
    log_in(page, live_server, make_user)
    new_campaign(page, live_server, name="Undo issue")
    page.get_by_role("button", name="+ Heading").click()
    page.get_by_label("Heading 1 text").fill("Keep me")
    page.get_by_role("button", name="+ Text").click()
    editor = page.get_by_role("textbox", name="Text 2")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Words worth keeping")
    page.get_by_role("button", name="+ Button").click()
    page.get_by_label("Button 3 link").fill("https://shop.example/")
    page.evaluate("window.__samePage = true")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)

    page.get_by_role("button", name="Remove block 2").click()
    expect(page.locator("fieldset.block")).to_have_count(2)
    expect(page.locator("#blocks-status")).to_have_text("Block removed. 2 left.")
    undo = page.get_by_role("button", name="Undo the removal of block 2")
    expect(undo).to_be_focused()
    expect(page.get_by_text("Block 2 (Text) removed.")).to_be_visible()
    # the removal is autosaved; the Undo stays offered
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)
    page.screenshot(path=str(artifacts / "undo-removal-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    undo.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "undo-removal-390.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    campaign_id = int(page.url.split("/")[-2])
    db.session.expire_all()
    assert [b["type"] for b in db.session.get(Campaign, campaign_id).blocks] == [
        "heading", "button"]

    page.locator("#autosave-status").evaluate("el => el.textContent = ''")
    undo.click()
    expect(page.locator("#blocks-status")).to_have_text("Block restored.")
    expect(page.locator("fieldset.block legend")).to_have_text(
        ["1. Heading", "2. Text", "3. Button"])
    expect(page.get_by_role("textbox", name="Text 2")).to_have_text("Words worth keeping")
    expect(page.get_by_role("textbox", name="Text 2")).to_be_focused()
    expect(page.get_by_text("Block 2 (Text) removed.")).to_have_count(0)
    assert page.evaluate("window.__samePage") is True  # no reload
    page.screenshot(path=str(artifacts / "undo-restored-1280.png"), full_page=True)
    # autosave keeps the restored block
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15_000)
    db.session.expire_all()
    assert [b["type"] for b in db.session.get(Campaign, campaign_id).blocks] == [
        "heading", "text", "button"]
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible(timeout=15_000)
    db.session.expire_all()
    blocks = db.session.get(Campaign, campaign_id).blocks
    assert [b["type"] for b in blocks] == ["heading", "text", "button"]
    assert "Words worth keeping" in blocks[1]["text"]


def test_undo_without_javascript(browser, live_server, make_user):
    """The removal's page (a full form without JavaScript) offers Undo too."""
    list_with_contacts("reader@example.com")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, live_server, make_user)
        new_campaign(page, live_server, name="No script")
        page.get_by_role("button", name="+ Text").click()
        page.get_by_label("Text 1").fill("<p>Plain <b>HTML</b> without a script</p>")
        page.get_by_role("button", name="+ Divider").click()
        page.get_by_role("button", name="Remove block 1").click()
        expect(page.locator("fieldset.block")).to_have_count(1)
        page.get_by_role("button", name="Undo the removal of block 1").click()
        expect(page.get_by_label("Text 1")).to_have_value(
            "<p>Plain <b>HTML</b> without a script</p>")
        expect(page.locator("fieldset.block")).to_have_count(2)
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_text("Campaign saved.")).to_be_visible()
        db.session.expire_all()
        saved = db.session.query(Campaign).one()
        assert [b["type"] for b in saved.blocks] == ["text", "divider"]
    finally:
        context.close()


def test_a_new_block_never_takes_the_focus_from_a_field_already_chosen(page, live_server,
                                                                      make_user):
    """After "+ Button" the new block's first field gets the focus, unless the person
    already went to another of its fields the moment it appeared: their typing goes where
    they chose (it once went into the button's label, and the link stayed https://)."""
    list_with_contacts("reader@example.com")
    log_in(page, live_server, make_user)
    new_campaign(page, live_server, name="Quick hands")
    page.evaluate("""() => {
      const form = document.querySelector('.composer').closest('form');
      new MutationObserver((records, observer) => {
        const link = form.querySelector('input[name="blocks-0-url"]');
        if (link) { observer.disconnect(); link.focus(); }  // before the swap settles
      }).observe(form, {childList: true, subtree: true});
    }""")
    page.get_by_role("button", name="+ Button").click()
    link = page.get_by_label("Button 1 link")
    expect(link).to_be_focused()
    page.wait_for_timeout(200)  # the swap has settled: the focus stayed
    expect(link).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("https://shop.example/")
    expect(link).to_have_value("https://shop.example/")
    expect(page.get_by_label("Button 1 label")).not_to_have_value(re.compile("shop"))
