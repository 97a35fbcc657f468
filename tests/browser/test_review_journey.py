"""In Chromium: an editor's campaign about kratom is held for review at Send; a reviewer
sees the matched passage, approves it with a reason; the editor sees the decision and
sends."""

import pytest
from playwright.sync_api import expect

from newsletter.extensions import db
from newsletter.models import Campaign
from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, live_server, email):
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_held_campaign_is_approved_by_a_reviewer_and_sent(
        page, live_server, make_user, worker, smtp_server, artifacts):
    editor = make_user("editor@example.com", "editor")
    make_user("reviewer@example.com", "reviewer")
    campaign = factories.draft(factories.list_with_contacts("reader@example.com"),
                               subject="Kratom: what the new law says",
                               body="The new law on kratom explained.\nKúpte kratom tu.\n")
    db.session.get(Campaign, campaign.id).created_by_id = editor.id
    factories.tested(db.session.get(Campaign, campaign.id))

    log_in(page, live_server, "editor@example.com")
    page.goto(f"{live_server}/admin/campaigns/{campaign.id}")
    expect(page.locator('[data-check="content"]')).to_contain_text("Kratom")
    page.get_by_role("button", name="Send").click()  # held before anything else is asked
    expect(page.get_by_text("Held for review: the content matches Kratom")).to_be_visible()
    expect(page.locator("#campaign-status")).to_have_text("review")
    page.screenshot(path=str(artifacts / "review-held.png"), full_page=True)
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "reviewer@example.com")
    page.goto(f"{live_server}/admin/campaigns/{campaign.id}")
    expect(page.locator("#review mark").first).to_have_text("Kratom")
    page.get_by_label("Reason or message to the editor").fill("Informative: the new law")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: the editor can send it now.")).to_be_visible()
    page.screenshot(path=str(artifacts / "review-approved.png"), full_page=True)
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "editor@example.com")
    page.goto(f"{live_server}/admin/campaigns/{campaign.id}")
    expect(page.locator("#review-note")).to_have_text("Informative: the new law")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#send-warnings")).to_contain_text("First send to")
    page.get_by_role("button", name="Send to all recipients now").click()
    expect(page.get_by_text("Sending started: 1 recipient.")).to_be_visible()
    worker()
    sent = [m.rcpt_tos for m in smtp_server.messages]
    assert ["reader@example.com"] in sent
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "editor@example.com", "editor@example.com", "reader@example.com"]  # held, approved


def test_changing_approved_content_sends_it_back_to_review(
        page, live_server, make_user, worker, smtp_server, artifacts):
    from newsletter.compliance import review

    editor = make_user("editor@example.com", "editor")
    reviewer = make_user("reviewer@example.com", "reviewer")
    campaign = factories.composed(
        factories.list_with_contacts("reader@example.com"),
        [{"type": "text", "text": "<p>The new law on kratom explained.</p>"}],
        subject="Kratom: what the new law says")
    db.session.get(Campaign, campaign.id).created_by_id = editor.id
    db.session.commit()
    review.hold_if_flagged(db.session, campaign.id, editor.email)
    review.decide(db.session, campaign.id, reviewer, True, "Informative: the new law")
    db.session.commit()

    log_in(page, live_server, "editor@example.com")
    page.goto(f"{live_server}/admin/campaigns/{campaign.id}/edit")
    page.get_by_role("button", name="Save draft").click()  # nothing changed
    expect(page.get_by_text("Campaign saved.")).to_be_visible()
    expect(page.locator("#campaign-status")).to_have_text("draft")
    page.goto(f"{live_server}/admin/campaigns/{campaign.id}/edit")
    page.get_by_label("Subject", exact=True).fill("Kratom: buy it here, 20 % off")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("held for review again")).to_be_visible()
    expect(page.locator("#campaign-status")).to_have_text("review")
    page.screenshot(path=str(artifacts / "review-changed-after-approval.png"), full_page=True)
    worker()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["editor@example.com"]]
