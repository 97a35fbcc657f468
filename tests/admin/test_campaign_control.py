"""The campaign page's controls and live status, as an editor uses them."""

import dkim
from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Campaign, SenderIdentity
from tests import factories
from tests.factories import draft, list_with_contacts


def test_pause_resume_cancel_from_the_page(client, login, worker, smtp_server):
    login()
    campaign = draft(list_with_contacts("a@example.com", "b@example.com"))
    client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"})
    page = client.post(f"/admin/campaigns/{campaign.id}/pause", follow_redirects=True).text
    assert "Paused: sending stops after the message in flight." in page
    assert ">Resume</button>" in page
    worker()
    assert smtp_server.messages == []

    page = client.post(f"/admin/campaigns/{campaign.id}/resume", follow_redirects=True).text
    assert "Sending resumed." in page
    worker()
    assert len(smtp_server.messages) == 2
    page = client.post(f"/admin/campaigns/{campaign.id}/cancel", data={"confirmed": "1"},
                       follow_redirects=True).text
    assert "there is nothing to cancel" in page


def test_status_json_feeds_the_live_tab(client, login, worker):
    login()
    campaign = draft(list_with_contacts("a@example.com"))
    client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"})
    data = client.get(f"/admin/campaigns/{campaign.id}/status.json").json
    assert (data["status"], data["recipients"], data["queued"], data["progress"]) == (
        "running", 1, 1, 0)
    worker()
    data = client.get(f"/admin/campaigns/{campaign.id}/status.json").json
    assert (data["status"], data["sent"], data["progress"]) == ("finished", 1, 100)
    assert data["rate_per_minute"] == 1 and data["last_sent_at"].endswith("Z")
    assert client.get("/admin/campaigns/999/status.json").status_code == 404


def test_schedule_with_a_delay(client, login):
    login()
    campaign = draft(list_with_contacts("a@example.com"))
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule",
                       data={"delay_minutes": "30"}, follow_redirects=True).text
    assert "Tick “Send despite the warnings above”" in page  # a first send to the list
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule",
                       data={"delay_minutes": "30", "confirm_warnings": "y"},
                       follow_redirects=True).text
    assert "It would go to 1 recipient" in page  # the question, with the count
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule",
                       data={"delay_minutes": "30", "confirm_warnings": "y", "confirmed": "1"},
                       follow_redirects=True).text
    assert "Scheduled for" in page and "badge-scheduled" in page
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule", data={},
                       follow_redirects=True).text
    assert "only a draft can be scheduled" in page or "Give a date and time" in page


def test_schedule_needs_a_time(client, login):
    login()
    campaign = draft(list_with_contacts("a@example.com"))
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule", data={},
                       follow_redirects=True).text
    assert "Give a date and time, or a delay." in page
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_viewers_cannot_pause(client, login):
    campaign = draft(list_with_contacts("a@example.com"))
    login("viewer")
    assert client.post(f"/admin/campaigns/{campaign.id}/pause").status_code == 403


def test_owner_creates_a_sender_with_dkim_and_sees_the_dns_record(client, login):
    login("owner")
    response = client.post("/admin/senders/new", data={
        "name": "Shop", "from_name": "The Shop", "from_email": "news@shop.example.com",
        "rate_limit": "0", "rate_period": "hour"})
    assert response.status_code == 422 and "Number must be between 1 and 1000000" in response.text
    response = client.post("/admin/senders/new", data={
        "name": "Shop", "from_name": "The Shop", "from_email": "news@shop.example.com",
        "rate_limit": "1200", "rate_period": "hour", "dkim_selector": "nl1"})
    assert response.status_code == 302
    identity = db.session.scalar(select(SenderIdentity))
    page = client.post(f"/admin/senders/{identity.id}/dkim", follow_redirects=True).text
    assert "nl1._domainkey.shop.example.com" in page
    db.session.expire_all()
    identity = db.session.get(SenderIdentity, identity.id)
    import html
    import re
    value = html.unescape(re.search(r'<code id="dkim-value"[^>]*>([^<]+)<', page).group(1))
    assert value.startswith("v=DKIM1; k=rsa; p=")
    # the published record verifies what this sender signs
    from newsletter.sending.dkim import Signer
    message = (b"From: The Shop <news@shop.example.com>\r\nTo: a@example.com\r\nSubject: x\r\n"
               b"\r\nhello\r\n")
    signed = Signer("shop.example.com", "nl1", identity.dkim_private_key).sign(message)
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: value.encode())


def test_editors_cannot_manage_senders(client, login):
    login("editor")
    assert client.get("/admin/senders").status_code == 403


def test_a_scheduled_campaign_is_unscheduled_back_to_an_editable_draft(client, login):
    login()
    campaign = draft(list_with_contacts("a@example.com"))
    client.post(f"/admin/campaigns/{campaign.id}/schedule",
                data={"delay_minutes": "30", "confirm_warnings": "y", "confirmed": "1"})
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert ">Unschedule</button>" in page
    page = client.post(f"/admin/campaigns/{campaign.id}/unschedule",
                       follow_redirects=True).text
    assert "back to a draft" in page and "badge-draft" in page
    assert ">Edit</a>" in page and ">Schedule</button>" in page
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_cancel_asks_first_and_says_what_is_lost(client, login):
    login()
    campaign = draft(list_with_contacts("a@example.com"))
    client.post(f"/admin/campaigns/{campaign.id}/schedule",
                data={"delay_minutes": "30", "confirm_warnings": "y", "confirmed": "1"})
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert f'href="/admin/campaigns/{campaign.id}/cancel"' in page  # a link to the question
    response = client.post(f"/admin/campaigns/{campaign.id}/cancel")  # no confirmation
    assert response.status_code == 302 and response.location.endswith(
        f"/admin/campaigns/{campaign.id}/cancel")
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "scheduled"
    question = client.get(f"/admin/campaigns/{campaign.id}/cancel").text
    assert "cannot be undone" in question and ">Unschedule</button>" in question
    page = client.post(f"/admin/campaigns/{campaign.id}/cancel", data={"confirmed": "1"},
                       follow_redirects=True).text
    assert "Cancelled" in page
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "cancelled"


def test_every_send_confirms_with_the_recipient_count_even_after_a_test(client, login,
                                                                        worker, smtp_server):
    login()
    campaign = factories.tested(draft(list_with_contacts("a@example.com", "b@example.com"),
                            subject="June"))
    response = client.post(f"/admin/campaigns/{campaign.id}/send")
    assert response.status_code == 302 and response.location.endswith("/confirm-send")
    question = client.get(response.location).text
    assert "to 2 recipients" in question and "has not been test-sent" not in question
    worker()
    assert smtp_server.messages == []
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_scheduling_confirms_with_the_time_and_recipient_count(client, login):
    login()
    campaign = draft(list_with_contacts("a@example.com", "b@example.com", "c@example.com"))
    question = client.post(f"/admin/campaigns/{campaign.id}/schedule",
                           data={"send_at": "2099-05-01T09:30", "confirm_warnings": "y"})
    assert question.status_code == 200
    assert "2099-05-01 09:30 UTC" in question.text and "3 recipients" in question.text
    assert "has not been test-sent yet" in question.text
    assert 'name="send_at" type="hidden" value="2099-05-01T09:30"' in question.text
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule",
                       data={"send_at": "2099-05-01T09:30", "confirm_warnings": "y",
                             "confirmed": "1"},
                       follow_redirects=True).text
    assert "Scheduled for 2099-05-01 09:30 UTC" in page
