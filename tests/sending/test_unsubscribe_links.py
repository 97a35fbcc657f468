"""The links in a sent message work: RFC 8058 one-click, the page, the profile footer."""

import re

from sqlalchemy import select

from newsletter.audience import suppression
from newsletter.campaigns import drafts, progress
from newsletter.extensions import db
from newsletter.models import Contact, Subscription
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start


def link(data: bytes) -> str:
    return re.search(rb"List-Unsubscribe: <(http[^>]+)>", data).group(1).decode()


def test_one_click_from_the_header_unsubscribes(app, client, worker, smtp_server):
    start(draft(list_with_contacts("reader@example.com")))
    worker()
    url = link(smtp_server.messages[0].data)
    path = url.split("127.0.0.1:5000", 1)[1]
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert db.session.scalar(select(Subscription.status)) == "unsubscribed"
    assert db.session.scalar(select(Contact.status)) == "inactive"
    client.post(path, data={"List-Unsubscribe": "One-Click"})  # repeated: counted once
    from newsletter.models import Campaign
    campaign_id = db.session.scalar(select(Campaign.id))
    assert progress.live_status(db.session, campaign_id)["unsubscribed"] == 1


def test_footer_carries_a_working_profile_link(app, client, worker, smtp_server):
    start(draft(list_with_contacts("reader@example.com")))
    worker()
    import quopri
    text = quopri.decodestring(smtp_server.messages[0].data).decode()
    profile = re.search(r"Your profile and data: (\S+)", text).group(1)
    response = client.get(profile.split("127.0.0.1:5000", 1)[1], follow_redirects=True)
    assert response.status_code == 200 and "reader@example.com" in response.text


def test_extra_recipient_can_stop_all_mail(app, client, worker, smtp_server):
    mlist = list_with_contacts("reader@example.com")
    campaign = drafts.save_campaign(db.session, None, name="x", subject="s", body_text="b",
                                       list_ids=[mlist.id], sender_id=None,
                                       extra_recipients="boss@example.com")
    db.session.commit()
    start(campaign)
    worker()
    boss = [m for m in smtp_server.messages if m.rcpt_tos == ["boss@example.com"]][0]
    path = link(boss.data).split("127.0.0.1:5000", 1)[1]
    page = client.get(path)
    assert "Stop all messages to boss@example.com." in page.text
    assert not suppression.is_suppressed(db.session, "boss@example.com")  # GET changes nothing
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert suppression.is_suppressed(db.session, "boss@example.com")
