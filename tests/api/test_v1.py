"""API v1: lists, contacts (create, update, upsert, bulk upsert, remove, erase, search),
subscriptions and consent, cursors, the one error shape and idempotency keys."""

from sqlalchemy import func, select

from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.models import ConsentRecord, Contact, ContactChange, MailingList, Subscription

from .helpers import auth, make_key


def test_lists_create_read_and_page_with_a_cursor(client):
    headers = auth(make_key())
    for name in ("A", "B", "C"):
        created = client.post("/api/v1/lists", json={"name": name, "optin": "single"},
                              headers=headers)
        assert created.status_code == 201 and created.json["name"] == name
    first = client.get("/api/v1/lists?limit=2", headers=headers).json
    assert [m["name"] for m in first["data"]] == ["A", "B"] and first["next_cursor"]
    rest = client.get(f"/api/v1/lists?limit=2&cursor={first['next_cursor']}",
                      headers=headers).json
    assert [m["name"] for m in rest["data"]] == ["C"] and rest["next_cursor"] is None
    one = client.get(f"/api/v1/lists/{rest['data'][0]['id']}", headers=headers)
    assert one.json["optin"] == "single"


def test_errors_have_one_shape_with_fields_by_name(client):
    headers = auth(make_key())
    bad = client.post("/api/v1/contacts", json={"email": "a@example.com", "colour": "red",
                                                "first_name": 5}, headers=headers)
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"colour", "first_name"}
    refused = client.post("/api/v1/contacts", json={"email": "not-an-address"},
                          headers=headers)
    assert refused.status_code == 422 and list(refused.json["error"]["fields"]) == ["email"]
    cursor = client.get("/api/v1/contacts?cursor=zzz", headers=headers)
    assert cursor.status_code == 422 and "cursor" in cursor.json["error"]["fields"]
    missing = client.get("/api/v1/contacts/99999", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    huge = client.get(f"/api/v1/contacts/{2**40}", headers=headers)
    assert huge.status_code == 404 and huge.json["error"]["code"] == "not_found"


def test_contact_create_update_upsert_and_search(client):
    headers = auth(make_key())
    created = client.post("/api/v1/contacts", json={
        "email": "Jana@Example.com", "first_name": "Jana", "attributes": {"city": "Nitra"}},
        headers=headers)
    assert created.status_code == 201 and created.json["email"] == "jana@example.com"
    contact_id = created.json["id"]
    again = client.post("/api/v1/contacts", json={"email": "jana@example.com"},
                        headers=headers)
    assert again.status_code == 422 and "email" in again.json["error"]["fields"]
    patched = client.patch(f"/api/v1/contacts/{contact_id}", json={
        "last_name": "Nováková", "attributes": {"tier": "gold"}}, headers=headers)
    assert patched.json["first_name"] == "Jana" and patched.json["last_name"] == "Nováková"
    assert patched.json["attributes"] == {"city": "Nitra", "tier": "gold"}
    upserted = client.post("/api/v1/contacts/upsert", json={
        "email": "jana@example.com", "phone": "+421 905 123 456"}, headers=headers)
    assert upserted.status_code == 200 and upserted.json["created"] is False
    assert upserted.json["contact"]["phone"] == "+421905123456"
    new = client.post("/api/v1/contacts/upsert", json={"email": "p@example.com"},
                      headers=headers)
    assert new.status_code == 201 and new.json["created"] is True
    found = client.get("/api/v1/contacts?q=Nov", headers=headers).json["data"]
    assert [c["id"] for c in found] == [contact_id]
    fields = set(db.session.scalars(select(ContactChange.field).where(
        ContactChange.contact_id == contact_id)))
    assert {"last_name", "attributes", "phone"} <= fields


def test_subscribe_unsubscribe_and_consent_records(client):
    headers = auth(make_key())
    mlist = lists.create_list(db.session, "Weekly")
    db.session.commit()
    contact_id = client.post("/api/v1/contacts", json={"email": "a@example.com"},
                             headers=headers).json["id"]
    sub = client.post(f"/api/v1/contacts/{contact_id}/subscribe", json={
        "list_id": mlist.id, "legal_basis": "contract", "source": "CRM order 17"},
        headers=headers)
    assert sub.status_code == 201 and sub.json["status"] == "confirmed"
    gone = client.post(f"/api/v1/contacts/{contact_id}/unsubscribe",
                       json={"list_id": mlist.id}, headers=headers)
    assert gone.json["status"] == "unsubscribed"
    consents = client.get(f"/api/v1/contacts/{contact_id}/consents", headers=headers).json
    assert [(c["action"], c["legal_basis"]) for c in consents["data"]] == [
        ("withdrawn", "consent"), ("granted", "contract")]
    subs = client.get(f"/api/v1/contacts/{contact_id}/subscriptions", headers=headers).json
    assert [s["status"] for s in subs["data"]] == ["unsubscribed"]


def test_delete_keeps_an_inactive_contact_and_erase_removes_the_data(client):
    headers = auth(make_key())
    contact_id = client.post("/api/v1/contacts", json={"email": "a@example.com"},
                             headers=headers).json["id"]
    assert client.delete(f"/api/v1/contacts/{contact_id}",
                         headers=headers).json["status"] == "inactive"
    back_on = client.patch(f"/api/v1/contacts/{contact_id}", json={"status": "active"},
                           headers=headers)
    assert back_on.status_code == 422 and "status" in back_on.json["error"]["fields"]
    with_history = client.post("/api/v1/contacts/upsert", json={
        "email": "a@example.com", "first_name": "Ann"}, headers=headers).json
    assert with_history["contact"]["status"] == "inactive"  # data kept up to date only
    erased = client.post(f"/api/v1/contacts/{contact_id}/erase", headers=headers)
    assert erased.json["status"] == "erased"
    assert db.session.get(Contact, contact_id).email is None
    back = client.post("/api/v1/contacts", json={"email": "a@example.com"}, headers=headers)
    assert back.status_code == 422 and "erased" in back.json["error"]["message"]


def test_bulk_upsert_creates_updates_skips_and_subscribes(client):
    headers = auth(make_key())
    mlist = lists.create_list(db.session, "Weekly", language="sk")
    db.session.commit()
    old = client.post("/api/v1/contacts", json={"email": "old@example.com",
                                                "first_name": "Old", "language": "de"},
                      headers=headers).json["id"]
    rows = [{"email": f"n{i}@example.com", "first_name": f"N{i}"} for i in range(50)]
    rows += [{"email": "OLD@example.com", "last_name": "Known", "attributes": {"k": "v"}},
             {"email": "n1@example.com"}]
    result = client.post("/api/v1/contacts/bulk", json={
        "contacts": rows, "list_id": mlist.id, "legal_basis": "consent", "source": "CRM"},
        headers=headers)
    assert result.status_code == 200, result.json
    assert result.json == {"received": 52, "created": 50, "updated": 1, "skipped": 0,
                           "duplicates": 1, "subscribed": 51, "over_limit": 0,
                           "left_out": [], "rejected": 0, "errors": {}}
    known = db.session.get(Contact, old)
    assert (known.first_name, known.last_name, known.language) == ("Old", "Known", "de")
    assert known.attributes == {"k": "v"}
    assert db.session.scalar(select(Contact.language).where(
        Contact.email == "n0@example.com")) == "sk"
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 51
    assert db.session.scalar(select(ContactChange.new_value).where(
        ContactChange.contact_id == old, ContactChange.field == "last_name")) == "Known"


def test_bulk_upsert_reports_bad_rows_and_keeps_the_good_ones(client):
    headers = auth(make_key())
    rows = [{"email": "good@example.com"}, {"email": "bad"}, {"email": "x@example.com",
                                                            "phone": "0905"},
            {"first_name": "Nobody"}, {"phone": "+421 905 123 456", "first_name": "Eva"}]
    result = client.post("/api/v1/contacts/bulk", json={"contacts": rows}, headers=headers)
    assert result.status_code == 200, result.json
    assert set(result.json["errors"]) == {"contacts.1", "contacts.2", "contacts.3"}
    assert "email or a phone" in result.json["errors"]["contacts.3"][0]
    assert "country code" in result.json["errors"]["contacts.2"][0]
    assert (result.json["created"], result.json["rejected"]) == (2, 3)
    assert set(db.session.scalars(select(Contact.email))) == {"good@example.com", None}
    assert db.session.scalar(select(Contact.first_name).where(
        Contact.phone == "+421905123456")) == "Eva"


def test_idempotency_key_replays_the_first_answer(client):
    headers = auth(make_key(), **{"Idempotency-Key": "order-17"})
    first = client.post("/api/v1/lists", json={"name": "Once"}, headers=headers)
    second = client.post("/api/v1/lists", json={"name": "Once"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json and second.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(MailingList)) == 1
    other = client.post("/api/v1/lists", json={"name": "Other"}, headers=headers)
    assert other.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_openapi_document_is_3_1_and_describes_every_operation(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    operations = {(path, method) for path, item in document["paths"].items()
                  for method in item}
    assert ("/api/v1/contacts/bulk", "post") in operations and len(operations) >= 14
    assert "ContactFields" in document["components"]["schemas"]


def test_a_phone_only_contact_and_upsert_by_phone(client):
    headers = auth(make_key())
    created = client.post("/api/v1/contacts", json={"phone": "+421 905 111 222",
                                                    "first_name": "Ivo"}, headers=headers)
    assert created.status_code == 201, created.json
    again = client.post("/api/v1/contacts/upsert", json={"phone": "+421905111222",
                                                          "last_name": "Novák"},
                        headers=headers)
    assert again.status_code == 200 and again.json["contact"]["id"] == created.json["id"]
    assert again.json["contact"]["first_name"] == "Ivo"
