"""Unsubscribe links: the page (a GET changes nothing), the page's button, and the RFC 8058
one-click POST without cookies or CSRF token."""

from sqlalchemy import select

from newsletter.audience import lists, subscriptions
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from newsletter.models import (
    ConsentRecord,
    Contact,
    ContactStatus,
    Delivery,
    Subscription,
    SubscriptionStatus,
)
from tests.factories import draft

from .helpers import link_in, mails_to, public_list


def on_lists(*names, address="reader@example.com"):
    chosen = [public_list(name) for name in names]
    for mlist in chosen:
        lists.add_contact_to_list(db.session, mlist.id, address)
    db.session.commit()
    contact = db.session.scalar(select(Contact).where(Contact.email == address))
    return contact, chosen


def statuses(contact_id):
    db.session.expire_all()
    return {s.mailing_list.name: s.status for s in db.session.scalars(
        select(Subscription).where(Subscription.contact_id == contact_id))}


def withdrawals():
    return db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.action == "withdrawn")).all()


def sent_to_both(first, second) -> Delivery:
    """A started campaign to both lists; its one delivery."""
    campaign = draft(first)
    campaign.lists.append(second)
    db.session.commit()
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    return db.session.scalar(select(Delivery))


def test_unsubscribe_url_is_absolute_and_signed(app):
    app.config["BASE_URL"] = "https://news.example.com"
    url = subscriptions.unsubscribe_url(7, list_id=3)
    assert url.startswith("https://news.example.com/u/")


def test_the_page_changes_nothing(client):
    contact, [weekly] = on_lists("Weekly")
    url = subscriptions.unsubscribe_url(contact.id, list_id=weekly.id)
    for _ in range(2):
        page = client.get(url)
        assert page.status_code == 200
        assert "You receive “Weekly” at reader@example.com." in page.text
    assert statuses(contact.id) == {"Weekly": SubscriptionStatus.CONFIRMED}
    assert withdrawals() == []


def test_one_click_post_without_cookies_answers_200_and_is_idempotent(app):
    contact, [weekly, other] = on_lists("Weekly", "Other")
    url = subscriptions.unsubscribe_url(contact.id, list_id=weekly.id)
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: only this POST is exempt
    client = app.test_client(use_cookies=False)
    for _ in range(2):
        response = client.post(url, data={"List-Unsubscribe": "One-Click"},
                               headers={"User-Agent": "Gmail one-click"})
        assert response.status_code == 200 and "Location" not in response.headers
    assert statuses(contact.id) == {"Weekly": SubscriptionStatus.UNSUBSCRIBED,
                                    "Other": SubscriptionStatus.CONFIRMED}
    [record] = withdrawals()
    assert (record.source, record.user_agent) == ("one-click unsubscribe", "Gmail one-click")
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).status == ContactStatus.ACTIVE  # kept


def test_one_click_as_multipart(client):
    contact, [weekly] = on_lists("Weekly")
    url = subscriptions.unsubscribe_url(contact.id, list_id=weekly.id)
    response = client.post(url, data={"List-Unsubscribe": "One-Click"},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert statuses(contact.id) == {"Weekly": SubscriptionStatus.UNSUBSCRIBED}


def test_campaign_link_leaves_the_campaigns_lists_only(client):
    contact, [weekly, daily, other] = on_lists("Weekly", "Daily", "Other")
    delivery = sent_to_both(weekly, daily)
    url = subscriptions.unsubscribe_url(contact.id, delivery_id=delivery.id)
    assert "You receive “Daily, Weekly” at reader@example.com." in client.get(url).text
    response = client.post(url, data={})
    assert "You will receive no more messages from “Daily, Weekly”." in response.text
    assert statuses(contact.id) == {"Weekly": "unsubscribed", "Daily": "unsubscribed",
                                    "Other": "confirmed"}


def test_leaving_everything_makes_the_contact_inactive_but_keeps_it(client):
    contact, [weekly, _] = on_lists("Weekly", "Other")
    url = subscriptions.unsubscribe_url(contact.id, list_id=weekly.id)
    response = client.post(url, data={"everything": "1"})
    assert "You will receive no more messages from us." in response.text
    assert set(statuses(contact.id).values()) == {SubscriptionStatus.UNSUBSCRIBED}
    kept = db.session.get(Contact, contact.id)
    assert (kept.status, kept.email) == (ContactStatus.INACTIVE, "reader@example.com")
    assert len(withdrawals()) == 2


def test_a_forged_link_is_refused(client):
    contact, [weekly] = on_lists("Weekly")
    url = subscriptions.unsubscribe_url(contact.id, list_id=weekly.id)
    response = client.post(url[:-4] + "AAAA", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400 and "not valid" in response.text
    assert statuses(contact.id) == {"Weekly": SubscriptionStatus.CONFIRMED}


def test_leaving_the_last_list_makes_the_contact_inactive_until_fresh_consent(
        client, worker, smtp_server):
    contact, [weekly] = on_lists("Weekly")
    client.post(subscriptions.unsubscribe_url(contact.id, list_id=weekly.id),
                data={"List-Unsubscribe": "One-Click"})
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).status == ContactStatus.INACTIVE
    lists.add_contact_to_list(db.session, weekly.id, "reader@example.com")  # an editor
    db.session.commit()
    assert db.session.get(Contact, contact.id).status == ContactStatus.INACTIVE

    client.post(f"/subscribe/{weekly.key}", data={"email": "reader@example.com"})
    worker()
    [mail] = mails_to(smtp_server, "reader@example.com")
    assert client.post(link_in(mail, "/confirm/")).status_code == 200
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).status == ContactStatus.ACTIVE


def test_after_leaving_the_page_says_so_and_leads_back(client):
    contact, [weekly] = on_lists("Weekly")
    url = subscriptions.unsubscribe_url(contact.id, list_id=weekly.id)
    done = client.post(url, data={}).text
    assert "You will receive no more messages from “Weekly”." in done
    assert f'href="/subscribe/{weekly.key}"' in done  # changed your mind?
    assert "/p/" in done  # the profile

    again = client.get(url).text
    assert "You receive" not in again and ">Unsubscribe</button>" not in again
    assert "You have left “Weekly”." in again
    assert f'href="/subscribe/{weekly.key}"' in again and 'href="/p"' in again
    assert statuses(contact.id) == {"Weekly": SubscriptionStatus.UNSUBSCRIBED}


def test_the_page_offers_only_what_is_still_received(client):
    contact, [weekly, daily] = on_lists("Weekly", "Daily")
    delivery = sent_to_both(weekly, daily)
    client.post(subscriptions.unsubscribe_url(contact.id, list_id=daily.id), data={})
    page = client.get(subscriptions.unsubscribe_url(contact.id, delivery_id=delivery.id)).text
    assert "You receive “Weekly” at reader@example.com." in page
    assert "You have left “Daily”." in page and ">Unsubscribe</button>" in page
