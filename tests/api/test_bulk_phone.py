"""Bulk upsert keyed by phone: rows without an e-mail address are matched on their E.164
number, updated or created, subscribed to the list's SMS channel with a consent record;
the rules of the e-mail rows hold (suppressed numbers, inactive contacts, left lists)."""

from sqlalchemy import func, select

from newsletter.audience import lists, suppression
from newsletter.extensions import db
from newsletter.models import ConsentRecord, Contact, ContactChange, Subscription

from .helpers import auth, make_key


def _post(client, headers, rows, **body):
    response = client.post("/api/v1/contacts/bulk", json={"contacts": rows, **body},
                           headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_phone_rows_create_update_and_subscribe_to_sms(client):
    headers = auth(make_key())
    mlist = lists.create_list(db.session, "Alerts", language="sk", channels="email,sms")
    db.session.commit()
    known = client.post("/api/v1/contacts", json={"phone": "+421905000001",
                                                  "first_name": "Old"},
                        headers=headers).json["id"]
    rows = [{"phone": "+421 905 000 001", "last_name": "Known"},
            {"phone": "+421905000002", "first_name": "New", "attributes": {"k": "v"}},
            {"phone": "+421905000002", "first_name": "Again"},
            {"email": "mail@example.com"}]
    result = _post(client, headers, rows, list_id=mlist.id, legal_basis="contract")
    assert (result["created"], result["updated"], result["duplicates"],
            result["subscribed"]) == (2, 1, 1, 3)
    contact = db.session.get(Contact, known)
    assert (contact.first_name, contact.last_name) == ("Old", "Known")
    assert db.session.scalar(select(ContactChange.new_value).where(
        ContactChange.contact_id == known, ContactChange.field == "last_name")) == "Known"
    new = db.session.scalar(select(Contact).where(Contact.phone == "+421905000002"))
    assert (new.first_name, new.attributes, new.language, new.email) == (
        "New", {"k": "v"}, "sk", None)
    channels = set(db.session.execute(select(Subscription.contact_id, Subscription.channel)))
    assert (known, "sms") in channels and (new.id, "sms") in channels
    assert db.session.scalar(select(ConsentRecord.legal_basis).where(
        ConsentRecord.contact_id == new.id)) == "contract"
    again = _post(client, headers, rows[:2], list_id=mlist.id)
    assert (again["created"], again["updated"], again["subscribed"]) == (0, 2, 0)


def test_phone_rows_keep_the_rules(client):
    headers = auth(make_key())
    mlist = lists.create_list(db.session, "Alerts", channels="email,sms")
    db.session.commit()
    left = client.post("/api/v1/contacts", json={"phone": "+421905000003"},
                       headers=headers).json["id"]
    client.post(f"/api/v1/contacts/{left}/subscribe",
                json={"list_id": mlist.id, "channel": "sms"}, headers=headers)
    client.post(f"/api/v1/contacts/{left}/unsubscribe",
                json={"list_id": mlist.id, "channel": "sms"}, headers=headers)
    gone = client.post("/api/v1/contacts", json={"phone": "+421905000004"},
                       headers=headers).json["id"]
    client.delete(f"/api/v1/contacts/{gone}", headers=headers)
    suppression.suppress(db.session, "+421905000005", suppression.Reason.ERASED)
    db.session.commit()
    rows = [{"phone": "+421905000003"}, {"phone": "+421905000004", "first_name": "X"},
            {"phone": "+421905000005"}, {"phone": "905000006"}]
    result = _post(client, headers, rows, list_id=mlist.id)
    assert (result["created"], result["updated"], result["skipped"], result["subscribed"],
            result["rejected"]) == (0, 1, 2, 0, 1)
    assert "country code" in result["errors"]["contacts.3"][0]
    assert db.session.get(Contact, gone).first_name is None
    assert db.session.scalar(select(Subscription.status).where(
        Subscription.contact_id == left)) == "unsubscribed"
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 2
