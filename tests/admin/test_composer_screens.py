"""The composer as Mailchimp users expect it: a preheader that inboxes show after the
subject (first, hidden, in every message), blocks moved by drag and drop (one request),
and autosave answering in JSON."""

from email import message_from_bytes, policy

from sqlalchemy import func, select

from newsletter.extensions import db
from newsletter.models import Campaign
from tests import factories
from tests.admin.test_composer import form_data
from tests.factories import list_with_contacts
from tests.sending.helpers import start


def _html_part(message) -> str:
    msg = message_from_bytes(message.data, policy=policy.default)
    return msg.get_body(("html",)).get_content()


def test_the_preheader_is_saved_and_goes_first_hidden_in_the_message(
        client, login, worker, smtp_server):
    login()
    mlist = list_with_contacts("a@example.com")
    client.post("/admin/campaigns/new", data=form_data(
        mlist, preheader="20 % off <b>today</b>", action="save",
        **{"blocks-0-type": "text", "blocks-0-text": "<p>Body words</p>"}))
    campaign = db.session.scalar(select(Campaign))
    assert campaign.preheader == "20 % off <b>today</b>"
    editor = client.get(f"/admin/campaigns/{campaign.id}/edit").text
    assert 'name="preheader"' in editor and "20 % off" in editor
    start(factories.tested(campaign))
    worker()
    html = _html_part(smtp_server.messages[0])
    body = html[html.index("<body"):]
    hidden = body[:body.index("</div>")]
    assert "nl-preheader" in hidden and "display:none" in hidden.replace(" ", "")
    # plain text, before the body's first words
    assert "20 % off &lt;b&gt;today&lt;/b&gt;" in hidden
    assert body.index("nl-preheader") < body.index("Body words")

    preview = client.post("/admin/campaigns/preview", data=form_data(
        mlist, preheader="Seen in the inbox", **{"blocks-0-type": "text",
                                                 "blocks-0-text": "<p>x</p>"}))
    assert "Seen in the inbox" in preview.text
    too_long = client.post("/admin/campaigns/new", data=form_data(
        mlist, preheader="x" * 201, action="save"))
    assert too_long.status_code == 422
    tagged = client.post("/admin/campaigns/new", data=form_data(
        mlist, preheader="Hi {{ first_name }}", action="save"))
    assert tagged.status_code == 422 and "merge tags do not work there" in tagged.text


def test_a_drag_moves_a_block_from_one_place_to_another(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    base = form_data(mlist, **{"blocks-0-type": "heading", "blocks-0-text": "One",
                               "blocks-1-type": "heading", "blocks-1-text": "Two",
                               "blocks-2-type": "heading", "blocks-2-text": "Three"})
    page = client.post("/admin/campaigns/new", data={**base, "action": "move:2:0"}).text
    assert page.index("\nThree</textarea>") < page.index("\nOne</textarea>") \
        < page.index("\nTwo</textarea>")
    assert 'hx-post="/admin/campaigns/new"' in page and 'hx-select=".composer-blocks"' in page
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_autosave_creates_then_updates_the_draft_and_says_what_is_missing(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    missing = client.post("/admin/campaigns/autosave", data=form_data(mlist, subject=""))
    assert missing.status_code == 422 and missing.json["error"].startswith("Subject")
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0

    first = client.post("/admin/campaigns/autosave", data=form_data(
        mlist, **{"blocks-0-type": "text", "blocks-0-text": "<p>Draft one</p>"}))
    assert first.status_code == 200
    campaign_id = first.json["id"]
    assert first.json["edit_url"] == f"/admin/campaigns/{campaign_id}/edit"
    again = client.post(first.json["autosave_url"], data=form_data(
        mlist, subject="Better subject",
        **{"blocks-0-type": "text", "blocks-0-text": "<p>Draft two</p>"}))
    assert again.status_code == 200 and again.json["id"] == campaign_id
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.subject == "Better subject" and "Draft two" in campaign.body_html
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1
    broken = client.post(first.json["autosave_url"], data=form_data(
        mlist, **{"blocks-0-type": "text", "blocks-0-text": "{{ oops }}"}))
    assert broken.status_code == 422 and "unknown merge tag" in broken.json["error"]

    campaign.status = "finished"
    db.session.commit()
    late = client.post(first.json["autosave_url"], data=form_data(mlist))
    assert late.status_code == 409


def test_viewer_cannot_autosave(client, login):
    mlist = list_with_contacts("a@example.com")
    login("viewer", email="viewer@example.com")
    assert client.post("/admin/campaigns/autosave", data=form_data(mlist)).status_code == 403
