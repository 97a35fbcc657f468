"""The campaign form with the composer, used without JavaScript (plain form posts)."""

import html
import re
from email import message_from_bytes, policy

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Campaign, CampaignAttachment, Contact, Theme
from tests.factories import composed, list_with_contacts

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
       b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def form_data(mlist, **extra):
    data = {"name": "June", "subject": "June news", "lists": [mlist.id], "sender": 0,
            "theme": 0, "template": "blank", "language": "en"}
    data.update(extra)
    return data


def test_blocks_are_saved_sanitized_with_a_text_alternative(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    response = client.post("/admin/campaigns/new", data=form_data(mlist, **{
        "blocks-0-type": "heading", "blocks-0-text": "Summer sale",
        "blocks-1-type": "text",
        "blocks-1-text": '<p onmouseover="x()">Hi {{ first_name | default("friend") }}</p>'
                         '<script>alert(1)</script>',
        "blocks-2-type": "button", "blocks-2-label": "Shop", "blocks-2-url": "https://s.example/",
    }))
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert [b["type"] for b in campaign.blocks] == ["heading", "text", "button"]
    assert "script" not in campaign.body_html and "onmouseover" not in campaign.body_html
    assert 'Hi {{ first_name | default("friend") }}' in campaign.body_html
    assert campaign.body_text.startswith("Summer sale\n\nHi {{ first_name")
    assert "Shop (https://s.example/)" in campaign.body_text


def test_the_plain_text_version_can_be_edited(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    blocks = {"blocks-0-type": "text", "blocks-0-text": "<p>HTML body</p>"}
    bad = client.post("/admin/campaigns/new", data=form_data(
        mlist, text_edited="y", body_text="Hi {{ frist_name }}", **blocks))
    assert bad.status_code == 422 and "Plain text: unknown merge tag" in bad.text
    client.post("/admin/campaigns/new", data=form_data(
        mlist, text_edited="y", body_text="Hand-written text for {{ first_name }}", **blocks))
    campaign = db.session.scalar(select(Campaign))
    assert campaign.text_edited and campaign.body_text == \
        "Hand-written text for {{ first_name }}"
    client.post(f"/admin/campaigns/{campaign.id}/edit", data=form_data(
        mlist, body_text="ignored", **{**blocks, "blocks-0-text": "<p>New body</p>"}))
    db.session.refresh(campaign)
    assert campaign.body_text == "New body\n"  # generated again once the box is unticked


def test_unknown_merge_tag_rerenders_with_the_error_and_keeps_input(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    response = client.post("/admin/campaigns/new", data=form_data(mlist, **{
        "blocks-0-type": "text", "blocks-0-text": "<p>Hi {{ firstname }}</p>"}))
    assert response.status_code == 422
    assert "unknown merge tag {{ firstname }}" in response.text
    assert "Hi {{ firstname }}" in response.text  # what was typed is still there
    assert db.session.scalar(select(Campaign)) is None


def test_subject_merge_error_is_shown_at_the_subject(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    response = client.post("/admin/campaigns/new", data=form_data(
        mlist, subject="Hi {{ first_name ", **{"blocks-0-type": "divider"}))
    assert response.status_code == 422
    assert 'id="subject-error">Subject: merge tag error' in response.text


def test_blocks_are_added_moved_and_removed_without_javascript(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    base = form_data(mlist, **{"blocks-0-type": "heading", "blocks-0-text": "First",
                               "blocks-1-type": "text", "blocks-1-text": "<p>Second</p>"})
    page = client.post("/admin/campaigns/new", data={**base, "action": "add:button"})
    assert page.status_code == 200 and 'value="Read more"' in page.text
    assert db.session.scalar(select(Campaign)) is None  # not saved by a block button

    page = client.post("/admin/campaigns/new", data={**base, "action": "down:0"}).text
    assert page.index("&lt;p&gt;Second&lt;/p&gt;") < page.index("\nFirst</textarea>")
    page = client.post("/admin/campaigns/new", data={**base, "action": "remove:0"}).text
    assert "\nFirst</textarea>" not in page and "Second" in page


def test_a_removed_block_comes_back_in_place_with_undo(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    base = form_data(mlist, **{"blocks-0-type": "heading", "blocks-0-text": "First",
                               "blocks-1-type": "text", "blocks-1-text": "<p>Second</p>",
                               "blocks-2-type": "divider"})
    page = client.post("/admin/campaigns/new", data={**base, "action": "remove:1"}).text
    assert "Block 2 (Text) removed." in page and 'value="undo"' in page
    stash = re.search(r'name="removed_block" value="([^"]+)"', page).group(1)
    assert page.index("Block 2 (Text) removed.") < page.index('value="divider"')  # in place
    after = {**form_data(mlist, **{"blocks-0-type": "heading", "blocks-0-text": "First",
                                   "blocks-1-type": "divider"}),
             "removed_block": html.unescape(stash)}
    page = client.post("/admin/campaigns/new", data={**after, "action": "undo"}).text
    assert "removed_block" not in page  # undone: nothing left to undo
    assert page.index("\nFirst</textarea>") < page.index("&lt;p&gt;Second&lt;/p&gt;") \
        < page.index('value="divider"')
    saved = client.post("/admin/campaigns/new", data={**after, "action": "undo"})
    assert saved.status_code == 200 and db.session.scalar(select(Campaign)) is None


def test_an_unusable_undo_stash_changes_nothing(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    base = form_data(mlist, **{"blocks-0-type": "heading", "blocks-0-text": "Only"})
    for stash in ("", "not json", "[1]", '{"index": 0, "block": {"type": "script"}}',
                  '{"index": "x", "block": {"type": "text"}}', '{"index": 0, "block": 3}'):
        page = client.post("/admin/campaigns/new",
                           data={**base, "removed_block": stash, "action": "undo"})
        assert page.status_code == 200
        assert page.text.count('<fieldset class="block') == 1, stash


def test_a_new_campaign_starts_from_the_chosen_template(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    client.post("/admin/campaigns/new", data=form_data(mlist, template="newsletter"))
    campaign = db.session.scalar(select(Campaign))
    assert campaign.template == "newsletter"
    assert [b["type"] for b in campaign.blocks][:3] == ["heading", "text", "columns"]
    form = client.get(f"/admin/campaigns/{campaign.id}/edit").text
    assert "Read the whole issue" in form


def test_loading_a_template_fills_the_composer_before_saving(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    page = client.post("/admin/campaigns/new", data=form_data(
        mlist, template="announcement", action="template"))
    assert page.status_code == 200 and "Find out more" in page.text
    assert db.session.scalar(select(Campaign)) is None


def test_images_upload_without_javascript(client, login):
    login()
    campaign = composed(list_with_contacts("a@example.com"), [{"type": "divider"}])
    files = f"/admin/campaigns/{campaign.id}/files"
    response = client.post("/admin/uploads", data={"upload-file": (_io(PNG), "dot.png")},
                           headers={"Referer": f"http://localhost{files}"},
                           follow_redirects=True)
    assert "Image uploaded. Its address for an image block: /media/" in response.text
    page = client.get(files).text
    assert '<table id="images">' in page and 'alt="dot.png"' in page
    elsewhere = client.post("/admin/uploads", data={"upload-file": (_io(PNG), "dot.png")},
                            headers={"Referer": "https://evil.example/admin/x"})
    assert elsewhere.location == "/admin/"  # never back to another site


def test_live_preview_renders_the_unsaved_form(client, login):
    login()
    db.session.add(Theme(name="Red", primary_color="#cc0000", organization="Red Shop"))
    db.session.commit()
    theme_id = db.session.scalar(select(Theme.id))
    mlist = list_with_contacts("a@example.com")
    response = client.post("/admin/campaigns/preview", data=form_data(mlist, theme=theme_id, **{
        "blocks-0-type": "heading", "blocks-0-text": "Hello {{ first_name }}"}))
    assert response.status_code == 200
    assert "Hello Jana" in response.text and "#cc0000" in response.text
    assert "Red Shop" in response.text
    bad = client.post("/admin/campaigns/preview", data=form_data(mlist, **{
        "blocks-0-type": "heading", "blocks-0-text": "{{ oops }}"}))
    assert bad.status_code == 422 and "unknown merge tag" in bad.text


def test_saved_preview_and_text_part(client, login):
    login()
    campaign = composed(list_with_contacts("a@example.com"),
                        [{"type": "text", "text": "<p>Body for {{ first_name }}</p>"}])
    page = client.get(f"/admin/campaigns/{campaign.id}/preview").text
    assert "preview-mobile" in page
    assert '<pre class="body" id="text-preview">Body for Jana' in page  # the text version
    html = client.get(f"/admin/campaigns/{campaign.id}/preview.html").text
    assert "Body for Jana" in html


def test_image_upload_checks_type_and_size_and_serves_it(client, login):
    login()
    response = client.post("/admin/uploads", data={"upload-file": (_io(PNG), "dot.png")},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    url = response.json["url"]
    served = client.get(url)
    assert served.data == PNG and served.mimetype == "image/png"

    fake = client.post("/admin/uploads", data={"upload-file": (_io(b"<svg onload=x>"),
                                                                "x.png")},
                       headers={"Accept": "application/json"})
    assert fake.status_code == 422 and "Only PNG, JPEG and GIF" in fake.json["error"]
    big = client.post("/admin/uploads", data={
        "upload-file": (_io(PNG + b"\0" * (2 * 1024 * 1024)), "big.png")},
        headers={"Accept": "application/json"})
    assert big.status_code == 422 and "at most 2 MB" in big.json["error"]


def _io(data: bytes):
    import io

    return io.BytesIO(data)


def test_attachments_have_limits_and_go_out_with_the_message(client, login):
    login()
    campaign = composed(list_with_contacts("a@example.com"), [{"type": "text", "text": "x"}])
    url = f"/admin/campaigns/{campaign.id}/files"
    ok = client.post(url, data={"file": (_io(b"%PDF-1.4 price list"), "prices.pdf")})
    assert ok.status_code == 302
    exe = client.post(url, data={"file": (_io(b"MZ"), "setup.exe")})
    assert exe.status_code == 422 and "cannot be attached" in exe.text
    big = client.post(url, data={"file": (_io(b"x" * (5 * 1024 * 1024 + 1)), "big.pdf")})
    assert big.status_code == 422 and "at most 5 MB" in big.text
    page = client.get(url).text
    assert "<td>prices.pdf</td>" in page and "big.pdf" not in page
    attachment_id = db.session.scalar(select(CampaignAttachment.id))
    client.post(f"{url}/{attachment_id}/delete")
    assert "<td>prices.pdf</td>" not in client.get(url).text


def test_test_send_uses_the_chosen_contacts_data(client, login, worker, smtp_server):
    login()
    mlist = list_with_contacts("eva@example.com")
    db.session.scalar(select(Contact)).first_name = "Eva"
    db.session.commit()
    campaign = composed(mlist, [{"type": "text", "text": "<p>Dear {{ first_name }}</p>"}],
                        subject="For {{ first_name }}")
    client.post(f"/admin/campaigns/{campaign.id}/files",
                data={"file": (_io(b"%PDF-1.4"), "offer.pdf")})
    bad = client.post(f"/admin/campaigns/{campaign.id}/test",
                      data={"addresses": "boss@example.com, not-an-address"})
    assert bad.status_code == 422 and "Not a valid address" in bad.text
    assert "not-an-address" in bad.text
    response = client.post(f"/admin/campaigns/{campaign.id}/test", data={
        "addresses": "boss@example.com, desk@example.com", "contact": "eva@example.com"})
    assert response.status_code == 302
    worker()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["boss@example.com",
                                                                   "desk@example.com"]
    msg = message_from_bytes(smtp_server.messages[0].data, policy=policy.default)
    assert msg["Subject"] == "[Test] For Eva"
    assert "Dear Eva" in msg.get_body(("html",)).get_content()
    assert "Dear Eva" in msg.get_body(("plain",)).get_content()
    assert [p.get_filename() for p in msg.iter_attachments()] == ["offer.pdf"]
    db.session.refresh(campaign)
    assert campaign.tested_at is not None


def test_test_mail_for_a_contact_carries_that_contacts_working_footer_links(
        client, login, worker, smtp_server, app):
    login()
    mlist = list_with_contacts("eva@example.com")
    campaign = composed(mlist, [{"type": "text", "text": "<p>News</p>"}])
    client.post(f"/admin/campaigns/{campaign.id}/test", data={
        "addresses": "boss@example.com", "contact": "eva@example.com"})
    worker()
    msg = message_from_bytes(smtp_server.messages[0].data, policy=policy.default)
    html = msg.get_body(("html",)).get_content()
    base = app.config["BASE_URL"]
    unsubscribe = re.search(rf'href="{re.escape(base)}(/u/[^"]+)"', html)
    profile = re.search(rf'href="{re.escape(base)}(/p/[^"]+)"', html)
    assert unsubscribe and profile, html
    public = app.test_client()  # the contact's browser, not the editor's session
    page = public.get(unsubscribe.group(1).replace("&amp;", "&"))
    assert page.status_code == 200 and mlist.name in page.text
    opened = public.get(profile.group(1).replace("&amp;", "&"), follow_redirects=True)
    assert opened.status_code == 200 and "eva@example.com" in opened.text


def test_test_mail_with_sample_data_has_no_personal_links(client, login, worker,
                                                          smtp_server):
    login()
    campaign = composed(list_with_contacts("eva@example.com"),
                        [{"type": "text", "text": "<p>News</p>"}])
    client.post(f"/admin/campaigns/{campaign.id}/test", data={"addresses": "boss@example.com"})
    worker()
    html = message_from_bytes(smtp_server.messages[0].data, policy=policy.default) \
        .get_body(("html",)).get_content()
    assert "/u/" not in html and "/p/" not in html


def test_first_send_without_a_test_asks_for_confirmation(client, login, worker, smtp_server):
    login()
    campaign = composed(list_with_contacts("a@example.com"), [{"type": "text", "text": "x"}])
    response = client.post(f"/admin/campaigns/{campaign.id}/send")
    assert response.status_code == 302 and response.location.endswith("/confirm-send")
    assert "has not been test-sent yet" in client.get(response.location).text
    worker()
    assert smtp_server.messages == []
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Sending started: 1 recipient." in response.text


def test_language_variant_goes_to_contacts_with_that_language(client, login, worker,
                                                              smtp_server):
    login()
    mlist = list_with_contacts("de@example.com", "en@example.com")
    db.session.scalar(select(Contact).where(Contact.email == "de@example.com")).language = "de"
    db.session.commit()
    campaign = composed(mlist, [{"type": "text", "text": "<p>Good morning</p>"}],
                        subject="Morning")
    url = f"/admin/campaigns/{campaign.id}/variants/new"
    bad = client.post(url, data={"language": "de", "subject": "Morgen",
                                 "blocks-0-type": "text", "blocks-0-text": "{{ vorname }}"})
    assert bad.status_code == 422 and "[de] Content: unknown merge tag" in bad.text
    ok = client.post(url, data={"language": "de", "subject": "Morgen",
                                "blocks-0-type": "text", "blocks-0-text": "<p>Guten Morgen</p>"})
    assert ok.status_code == 302
    assert "Guten Morgen" in client.get(f"/admin/campaigns/{campaign.id}/variants/de").text
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"})
    assert response.status_code == 302
    worker()
    got = {m.rcpt_tos[0]: message_from_bytes(m.data, policy=policy.default)
           for m in smtp_server.messages}
    assert got["de@example.com"]["Subject"] == "Morgen"
    assert "Guten Morgen" in got["de@example.com"].get_body(("plain",)).get_content()
    assert got["en@example.com"]["Subject"] == "Morning"


def test_a_variant_can_be_removed_from_a_draft(client, login):
    login()
    campaign = composed(list_with_contacts("a@example.com"), [{"type": "divider"}])
    client.post(f"/admin/campaigns/{campaign.id}/variants/new", data={
        "language": "SK", "subject": "Ahoj", "blocks-0-type": "text", "blocks-0-text": "x"})
    db.session.refresh(campaign)
    assert list(campaign.variants) == ["sk"]
    response = client.post(f"/admin/campaigns/{campaign.id}/variants/sk/delete",
                           follow_redirects=True)
    assert "Language variant sk removed." in response.text
    db.session.refresh(campaign)
    assert campaign.variants == {}


def test_themes_are_validated_and_style_messages(client, login):
    login()
    bad = client.post("/admin/themes/new", data={
        "name": "Brand", "primary_color": "red", "background_color": "#ffffff",
        "text_color": "#000000", "font_family": "Arial, Helvetica, sans-serif"})
    assert bad.status_code == 422 and "must look like #1a5fb4" in bad.text
    assert 'value="Brand"' in bad.text
    ok = client.post("/admin/themes/new", data={
        "name": "Brand", "primary_color": "#123456", "background_color": "#ffffff",
        "text_color": "#000000", "font_family": "Verdana, Geneva, sans-serif",
        "organization": "Brand Ltd.", "legal_notice": "Registered in Bratislava"})
    assert ok.status_code == 302
    theme = db.session.scalar(select(Theme))
    preview = client.get(f"/admin/templates/newsletter/preview?theme={theme.id}").text
    assert "#123456" in preview and "Registered in Bratislava" in preview
    assert "Brand" in client.get("/admin/themes").text


def test_viewers_cannot_change_content(client, login):
    login("viewer")
    mlist = list_with_contacts("a@example.com")
    assert client.post("/admin/campaigns/new", data=form_data(mlist)).status_code == 403
    assert client.post("/admin/uploads", data={}).status_code == 403


def test_viewers_are_told_before_they_fill_in_a_form(client, login):
    """Not after typing a whole campaign: the editing pages refuse them when they open."""
    campaign = composed(list_with_contacts("a@example.com"), [{"type": "text", "text": "x"}])
    login("viewer")
    for path in ("/admin/campaigns/new", f"/admin/campaigns/{campaign.id}/edit",
                 f"/admin/campaigns/{campaign.id}/variants/new",
                 f"/admin/campaigns/{campaign.id}/test", f"/admin/campaigns/{campaign.id}/files",
                 f"/admin/campaigns/{campaign.id}/confirm-send", "/admin/themes/new",
                 "/admin/lists/new", "/admin/blocklist/new"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "role does not allow this action." in page.text
    page = client.get(f"/admin/campaigns/{campaign.id}")  # reading stays open
    assert page.status_code == 200 and ">Edit</a>" not in page.text
    assert "New campaign" not in client.get("/admin/").text


def test_extra_recipients_and_branch_on_the_campaign_form(client, login):
    from sqlalchemy import select

    from newsletter.extensions import db
    from newsletter.models import Branch, Campaign, Organization
    from tests.factories import list_with_contacts

    login()
    mlist = list_with_contacts("a@example.com")
    org = Organization(name="Acme")
    db.session.add(org)
    db.session.flush()
    branch = Branch(organization_id=org.id, name="Košice")
    db.session.add(branch)
    db.session.commit()
    form = client.get("/admin/campaigns/new").text
    assert "Acme — Košice" in form and "Extra recipients" in form
    data = {"name": "N", "subject": "S", "lists": [mlist.id], "sender": 0, "theme": 0,
            "template": "blank", "language": "en", "branch": branch.id,
            "extra_recipients": "boss@example.com\nnot an address"}
    response = client.post("/admin/campaigns/new", data=data)
    assert response.status_code == 422
    assert "not valid addresses: not an address" in response.text
    assert "boss@example.com" in response.text  # what was typed is kept
    data["extra_recipients"] = "Boss@Example.com"
    assert client.post("/admin/campaigns/new", data=data).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.extra_recipients, campaign.branch_id) == ("boss@example.com", branch.id)


def test_broken_blocks_are_refused_at_save_at_their_field(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    cases = [
        ({"blocks-0-type": "image", "blocks-0-url": "not a url", "blocks-0-label": "Cat"},
         "blocks-0-url", "Image 1: “not a url” is not an image address"),
        ({"blocks-0-type": "image", "blocks-0-url": "", "blocks-0-label": "Cat"},
         "blocks-0-url", "Image 1: give the image"),
        ({"blocks-0-type": "image", "blocks-0-url": "/media/abc.png", "blocks-0-label": "Cat",
          "blocks-0-text": "shop.example"}, "blocks-0-text", "Image 1 link:"),
        ({"blocks-0-type": "divider", "blocks-1-type": "button", "blocks-1-label": "Shop",
          "blocks-1-url": "https://"}, "blocks-1-url", "Button 2: give the link"),
        ({"blocks-0-type": "button", "blocks-0-label": "", "blocks-0-url": "https://s.example/"},
         "blocks-0-label", "Button 1: give the button a label"),
    ]
    for blocks, field, message in cases:
        response = client.post("/admin/campaigns/new", data=form_data(mlist, **blocks))
        assert response.status_code == 422, blocks
        assert message in response.text
        assert f'id="{field}" ' in response.text and 'aria-invalid="true"' in response.text
        assert f'aria-describedby="{field}-error"' in response.text
        assert db.session.scalar(select(Campaign)) is None
    good = {"blocks-0-type": "image", "blocks-0-url": "https://cdn.example/a.png",
            "blocks-0-label": "Cat", "blocks-0-text": "https://shop.example/{{ email }}",
            "blocks-1-type": "button", "blocks-1-label": "Mail us",
            "blocks-1-url": "mailto:shop@example.com"}
    assert client.post("/admin/campaigns/new", data=form_data(mlist, **good)).status_code == 302


def test_the_live_preview_shows_an_unfinished_button_without_complaint(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    response = client.post("/admin/campaigns/preview", data=form_data(mlist, **{
        "blocks-0-type": "button", "blocks-0-label": "Read more", "blocks-0-url": "https://"}))
    assert response.status_code == 200 and "Read more" in response.text


def test_background_requests_never_rewrite_the_session_cookie(app, client, login):
    """The live preview (and the status poll) run beside the page. A preview sent before
    "Save draft" and answered after it used to send back the session cookie it came
    with, without the flashed "Campaign saved.", so the saved campaign's page lost it."""
    login()
    mlist = list_with_contacts("a@example.com")
    before = client.get_cookie("session").value
    saved = client.post("/admin/campaigns/new", data=form_data(mlist, **{
        "blocks-0-type": "text", "blocks-0-text": "<p>x</p>"}))
    assert saved.status_code == 302
    campaign = db.session.scalar(select(Campaign))

    late = app.test_client()  # the preview request, sent with the cookie from before
    late.set_cookie("session", before)
    preview = late.post("/admin/campaigns/preview", data=form_data(mlist, **{
        "blocks-0-type": "text", "blocks-0-text": "<p>x</p>"}))  # marked in the view
    assert preview.status_code == 200
    status = late.get(f"/admin/campaigns/{campaign.id}/status.json")
    style = late.get("/static/style.css", headers={"Sec-Fetch-Dest": "style"})
    assert status.status_code == 200 and style.status_code == 200
    page = late.get(f"/admin/campaigns/{campaign.id}")  # a page still refreshes it
    assert any(h.startswith("session=") for h in page.headers.getlist("Set-Cookie"))
    for response in (preview, status, style):
        assert not any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
    assert "Campaign saved." in client.get(saved.location).text


def test_contact_field_suggests_matching_contacts_as_the_editor_types(client, login):
    login()
    mlist = list_with_contacts("eva@example.com", "evan@example.com", "bob@example.com")
    bob = db.session.scalar(select(Contact).where(Contact.email == "bob@example.com"))
    bob.first_name = "Evelyn"
    db.session.commit()
    campaign = composed(mlist, [{"type": "text", "text": "x"}])
    page = client.get(f"/admin/campaigns/{campaign.id}/test").text
    assert 'list="contact-emails"' in page and 'id="contact-emails"' in page
    url = f"/admin/campaigns/{campaign.id}/test/contacts"
    assert client.get(url, query_string={"q": "EV"}).json == [
        "bob@example.com", "eva@example.com", "evan@example.com"]
    assert client.get(url, query_string={"q": "evan"}).json == ["evan@example.com"]
    assert client.get(url, query_string={"q": "%"}).json == []  # no wildcard
    assert client.get(url, query_string={"q": ""}).json == []
