from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Campaign
from tests.factories import draft, list_with_contacts


def test_create_campaign_through_the_form(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    response = client.post("/admin/campaigns/new", data={
        "name": "June", "subject": "June news", "blocks-0-type": "text",
        "blocks-0-text": "<p>Hello!</p>", "lists": [mlist.id], "sender": 0})
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.name, campaign.subject, campaign.status) == ("June", "June news", "draft")
    assert [m.id for m in campaign.lists] == [mlist.id]
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "June news" in page and "Weekly" in page


def test_missing_fields_rerender_with_errors_and_keep_input(client, login):
    login()
    list_with_contacts("a@example.com")
    response = client.post("/admin/campaigns/new", data={"name": "Kept name", "subject": "",
                                                         "body_text": "", "sender": 0})
    assert response.status_code == 422
    assert response.text.count("This field is required.") >= 2
    assert 'value="Kept name"' in response.text
    assert db.session.scalar(select(Campaign)) is None


def test_edit_draft(client, login):
    login()
    campaign = draft(list_with_contacts("a@example.com"))
    form = client.get(f"/admin/campaigns/{campaign.id}/edit").text
    assert 'value="Hello"' in form
    client.post(f"/admin/campaigns/{campaign.id}/edit", data={
        "name": "Renamed", "subject": "New subject", "blocks-0-type": "text",
        "blocks-0-text": "x",
        "lists": [campaign.lists[0].id], "sender": 0})
    db.session.refresh(campaign)
    assert campaign.subject == "New subject"


def test_send_without_confirmed_subscribers_says_why(client, login):
    login()
    campaign = draft(list_with_contacts(name="Empty"))
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "no confirmed subscribers" in response.text
    db.session.refresh(campaign)
    assert campaign.status == "draft"


def test_started_campaign_cannot_be_sent_again(client, login, worker):
    login()
    campaign = draft(list_with_contacts("a@example.com"))
    client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"})
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "only a draft can be sent" in response.text
