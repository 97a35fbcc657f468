"""The block list, the SMS quota, sender identities and imports over /api/v1."""

import io

from sqlalchemy import select

from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.models import BlocklistEntry, Contact
from newsletter.sending import senders
from newsletter.sms import quota

from .helpers import auth, make_key


def test_block_list_entries(client):
    token = make_key()
    response = client.post("/api/v1/blocklist", headers=auth(token), json={
        "email": "Boss@Example.com", "channels": ["email"], "note": "asked by phone"})
    assert response.status_code == 201, response.text
    entry = response.json
    assert entry["email"] == "boss@example.com" and entry["channels"] == ["email"]
    page = client.get("/api/v1/blocklist", headers=auth(token)).json
    assert [e["id"] for e in page["data"]] == [entry["id"]] and page["next_cursor"] is None
    assert client.get(f"/api/v1/blocklist/{entry['id']}",
                      headers=auth(token)).json["note"] == "asked by phone"
    empty = client.post("/api/v1/blocklist", headers=auth(token), json={"channels": ["sms"]})
    assert empty.status_code == 422 and "organization" in empty.json["error"]["fields"]
    assert client.delete(f"/api/v1/blocklist/{entry['id']}",
                         headers=auth(token)).status_code == 200
    assert db.session.scalar(select(BlocklistEntry)) is None
    reader = make_key(scopes=["blocklist:read"], name="reader")
    assert client.post("/api/v1/blocklist", headers=auth(reader), json={
        "email": "x@example.com", "channels": ["email"]}).status_code == 403


def test_sms_quota_and_sender_identities_are_readable(client):
    quota.top_up(db.session, 500, note="order 7", actor="owner@example.com")
    sender = senders.save_sender(
        db.session, None, name="Shop", from_name="Shop", from_email="news@shop.example",
        reply_to=None, rate_limit=1200, rate_period="hour", dkim_selector="nl1")
    senders.generate_dkim_key(db.session, sender.id)
    db.session.commit()
    token = make_key(scopes=["sms:read", "senders:read"])
    body = client.get("/api/v1/sms/quota", headers=auth(token)).json
    assert (body["available"], body["reserved"]) == (500, 0)
    assert body["movements"][0]["amount"] == 500 and body["movements"][0]["note"] == "order 7"
    response = client.get("/api/v1/senders", headers=auth(token))
    [one] = response.json["data"]
    assert one["from_email"] == "news@shop.example" and one["dkim_configured"] is True
    assert "PRIVATE KEY" not in response.text
    assert client.get(f"/api/v1/senders/{sender.id}", headers=auth(token)).json["rate_limit"] \
        == 1200
    assert client.get("/api/v1/senders/999", headers=auth(token)).status_code == 404


def test_an_import_is_uploaded_run_by_the_worker_and_followed(client, worker):
    mlist = lists.create_list(db.session, "Imported")
    db.session.commit()
    token = make_key()
    csv = b"email,first_name\nann@example.com,Ann\nnot-an-address,Bob\nzoe@example.com,Zoe\n"
    response = client.post("/api/v1/imports", headers=auth(token), data={
        "file": (io.BytesIO(csv), "people.csv"), "list_id": str(mlist.id),
        "legal_basis": "consent", "source": "shop signup export"},
        content_type="multipart/form-data")
    assert response.status_code == 202, response.text
    created = response.json
    assert created["status"] == "queued" and created["mapping"] == ["email", "first_name"]
    worker()
    progress = client.get(f"/api/v1/imports/{created['id']}", headers=auth(token)).json
    assert progress["status"] == "finished" and progress["percent"] == 100
    assert (progress["created"], progress["invalid"]) == (2, 1)
    issues = client.get(f"/api/v1/imports/{created['id']}/issues", headers=auth(token)).json
    assert [i["line"] for i in issues["data"]] == [3]
    assert db.session.scalar(select(Contact.first_name).where(
        Contact.email == "zoe@example.com")) == "Zoe"


def test_an_import_without_a_file_or_with_a_bad_one_is_refused(client):
    mlist = lists.create_list(db.session, "Imported")
    db.session.commit()
    token = make_key()
    response = client.post("/api/v1/imports", headers=auth(token), json={"list_id": mlist.id})
    assert response.status_code == 422 and "file" in response.json["error"]["fields"]
    response = client.post("/api/v1/imports", headers=auth(token), data={
        "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 64), "x.csv"),
        "list_id": str(mlist.id)}, content_type="multipart/form-data")
    assert response.status_code == 422 and "not a CSV" in response.json["error"]["message"]
