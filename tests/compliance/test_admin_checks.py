"""The checklist on the campaign page, the confirmation it asks for, the refusal it says,
the consent report, and the checked start of a scheduled campaign in the worker."""

from datetime import timedelta

from newsletter import queue
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from newsletter.models import Campaign, ConsentRecord, utcnow
from tests import factories
from tests.factories import draft, list_with_contacts

from .helpers import without_basis


def test_campaign_page_shows_the_checklist_and_send_asks_to_confirm(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    without_basis(mlist, "nobasis@example.com")
    campaign = factories.tested(draft(mlist))
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert 'data-check="consent"' in page and "1 of 2 recipients" in page
    assert 'data-check="first_send"' in page
    response = client.post(f"/admin/campaigns/{campaign.id}/send")
    assert response.status_code == 302 and response.location.endswith("/confirm-send")
    assert db.session.get(Campaign, campaign.id).status == "draft"
    confirm = client.get(response.location).text
    assert "Send despite the warnings?" in confirm and "1 of 2 recipients" in confirm
    done = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                       follow_redirects=True).text
    assert "Sending started: 1 recipient." in done and "1 recipient without" in done
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "running"


def test_a_blocking_item_refuses_the_start_and_says_why(client, login):
    login()
    mlist = list_with_contacts()
    without_basis(mlist, "x@example.com")
    campaign = factories.tested(draft(mlist))
    confirm = client.get(f"/admin/campaigns/{campaign.id}/confirm-send").text
    assert "Send to all recipients now" not in confirm  # nothing to confirm past a block
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Not started: None of the 1 recipients" in response.text
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_consent_report_lists_and_records_a_basis(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    contact = without_basis(mlist, "nobasis@example.com")
    campaign = draft(mlist)
    page = client.get(f"/admin/campaigns/{campaign.id}/consent").text
    assert "nobasis@example.com" in page and "a@example.com" not in page
    refused = client.post(f"/admin/campaigns/{campaign.id}/consent", data={
        "contact": [contact.id], "legal_basis": "legitimate_interest", "source": ""})
    assert refused.status_code == 422 and "Say where" in refused.text
    assert 'checked' in refused.text  # the choice is kept
    done = client.post(f"/admin/campaigns/{campaign.id}/consent", data={
        "contact": [contact.id], "legal_basis": "legitimate_interest",
        "source": "customers 2024"}, follow_redirects=True).text
    assert "recorded for 1 contact." in done and "Every recipient has a recorded basis" in done
    record = db.session.query(ConsentRecord).filter_by(contact_id=contact.id).one()
    assert record.legal_basis == "legitimate_interest"
    assert record.source == "customers 2024 (recorded by editor@example.com)"


def test_scheduled_start_in_the_worker_runs_the_checklist(app, worker):
    mlist = list_with_contacts()
    without_basis(mlist, "x@example.com")
    campaign = draft(mlist)
    lifecycle.schedule_campaign(db.session, campaign.id, utcnow() + timedelta(minutes=5))
    db.session.commit()
    db.session.get(Campaign, campaign.id).send_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    queue.enqueue(queue.SENDING, "newsletter.jobs.start_scheduled", campaign.id)  # when due
    worker()
    refused = db.session.get(Campaign, campaign.id)
    assert (refused.status, refused.send_at) == ("draft", None)


def test_scheduling_refuses_a_block_and_asks_about_warnings(client, login):
    login()
    mlist = list_with_contacts()
    without_basis(mlist, "x@example.com")
    campaign = draft(mlist)
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule",
                       data={"delay_minutes": "30", "confirm_warnings": "y"},
                       follow_redirects=True).text
    assert "None of the 1 recipients" in page
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"
