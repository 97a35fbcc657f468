"""Follow-ups: the same message with a new subject to who did not click (or open), days
after the first campaign; whoever left, bounced or joined later is not in it."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from newsletter import jobs
from newsletter.campaigns import followup, lifecycle, recipients
from newsletter.extensions import db
from newsletter.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryState,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from tests.factories import composed, list_with_contacts
from tests.tracking.helpers import html_links, path_of, received, send


def _follow_up_form(client, campaign, **fields):
    return client.post(f"/admin/campaigns/{campaign.id}/follow-up", data={
        "subject": "Did you miss it?", "audience": "non_clickers", "days": "3", **fields})


def test_follow_up_goes_only_to_who_did_not_click_and_is_still_subscribed(
        client, login, worker, smtp_server):
    login()
    first = send("click@example.com", "bounce@example.com", "left@example.com",
                 "quiet@example.com", worker=worker)
    clicked = [u for u in html_links(received(smtp_server, "click@example.com")) if "/c/" in u]
    client.get(path_of(clicked[0]))
    worker()  # the click is recorded
    db.session.execute(update(Delivery).where(Delivery.address == "bounce@example.com")
                       .values(state=DeliveryState.BOUNCED))
    left = db.session.scalar(select(Subscription).join(Subscription.contact)
                             .where(Subscription.contact.has(email="left@example.com")))
    left.status, left.unsubscribed_at = SubscriptionStatus.UNSUBSCRIBED, utcnow()
    db.session.commit()
    from newsletter.audience import lists
    lists.add_contact_to_list(db.session, first.lists[0].id, "late@example.com")
    db.session.commit()

    response = _follow_up_form(client, first)
    draft = db.session.scalar(select(Campaign).where(Campaign.resend_of_id == first.id))
    assert response.status_code == 302 and response.location.endswith(f"/{draft.id}")
    assert draft.status == CampaignStatus.DRAFT and draft.subject == "Did you miss it?"
    assert draft.body_html == first.body_html and draft.lists == first.lists
    page = client.get(response.location).text
    assert "A follow-up of" in page and "did not click" in page
    suggested = (first.started_at + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert re.search(rf'name="send_at"[^>]*value="{suggested}"', page), page
    assert recipients.count_recipients(db.session, draft.id) == 1

    smtp_server.messages.clear()
    lifecycle.start_campaign(db.session, draft.id)
    db.session.commit()
    jobs.enqueue_send(draft.id)
    worker()
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == ["quiet@example.com"]
    assert received(smtp_server, "quiet@example.com")["Subject"] == "Did you miss it?"


def test_non_openers_need_tracked_opens_and_leave_out_who_opened(client, login, worker,
                                                                  smtp_server):
    login()
    untracked = send("a@example.com", worker=worker)
    refused = _follow_up_form(client, untracked, audience="non_openers")
    assert refused.status_code == 302
    assert "Opens were not tracked" in client.get(refused.location).text
    assert db.session.scalar(select(Campaign).where(Campaign.resend_of_id.is_not(None))) \
        is None

    tracked = composed(list_with_contacts("open@example.com", "shut@example.com",
                                          name="Tracked"),
                       [{"type": "text", "text": "<p>News</p>"}], track_opens=True)
    lifecycle.start_campaign(db.session, tracked.id)
    db.session.commit()
    jobs.enqueue_send(tracked.id)
    worker()
    db.session.execute(update(Delivery).where(Delivery.address == "open@example.com")
                       .values(opened_at=utcnow()))
    db.session.commit()
    follow = followup.create_follow_up(db.session, tracked.id, subject="Again", days=0,
                                       audience=followup.NON_OPENERS)
    db.session.commit()
    rows = db.session.execute(recipients.recipient_rows(follow)).all()
    assert [r.address for r in rows] == ["shut@example.com"]


def test_only_a_sent_campaign_can_be_followed_up_and_the_days_are_bounded(client, login):
    login()
    draft = composed(list_with_contacts("a@example.com"), [{"type": "text", "text": "x"}])
    refused = _follow_up_form(client, draft)
    assert "Only a campaign that has been sent" in client.get(refused.location).text
    lifecycle.start_campaign(db.session, draft.id)
    db.session.commit()
    too_late = _follow_up_form(client, draft, days="45")
    assert "Number must be between 0 and 30" in client.get(too_late.location).text
    no_subject = _follow_up_form(client, draft, subject="  ")
    assert "This field is required" in client.get(no_subject.location).text
    assert db.session.scalar(select(Campaign).where(Campaign.resend_of_id.is_not(None))) \
        is None
