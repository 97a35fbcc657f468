"""/api/v1/segments: saved segments over the API (list, create, read, update, delete,
count), and a campaign whose audience is a segment, started with the real worker."""

from newsletter.audience import lists
from newsletter.extensions import db
from tests.public.helpers import mails_to

from .helpers import auth, make_key

VIENNA = {"match": "all", "groups": [{"match": "all", "conditions": [
    {"kind": "attribute", "op": "equals", "key": "city", "value": "Vienna"}]}]}


def _readers() -> int:
    mlist = lists.create_list(db.session, "Weekly")
    for i, city in enumerate(["Vienna", "Vienna", "Graz"]):
        contact = lists.add_contact_to_list(db.session, mlist.id, f"r{i}@example.com")
        contact.attributes = {"city": city}
    db.session.commit()
    return mlist.id


def test_create_read_count_update_list_and_delete(client):
    headers = auth(make_key())
    _readers()
    made = client.post("/api/v1/segments", json={"name": "Viennese", "definition": VIENNA},
                       headers=headers)
    assert made.status_code == 201, made.json
    base = f"/api/v1/segments/{made.json['id']}"
    assert client.get(base, headers=headers).json["name"] == "Viennese"
    assert client.get(f"{base}/count", headers=headers).json["count"] == 2
    graz = {"match": "any", "groups": [{"conditions": [
        {"kind": "attribute", "op": "equals", "key": "city", "value": "Graz"}]}]}
    changed = client.patch(base, json={"definition": graz}, headers=headers)
    assert changed.status_code == 200 and changed.json["name"] == "Viennese"
    assert client.get(f"{base}/count", headers=headers).json["count"] == 1
    page = client.get("/api/v1/segments", headers=headers).json
    assert [s["name"] for s in page["data"]] == ["Viennese"]
    assert client.delete(base, headers=headers).status_code == 200
    assert client.get(base, headers=headers).status_code == 404


def test_a_bad_condition_is_named_and_nothing_is_saved(client):
    headers = auth(make_key())
    bad = {"groups": [{"conditions": [{"kind": "created", "op": "before",
                                        "value": "yesterday"}]}]}
    response = client.post("/api/v1/segments", json={"name": "Odd", "definition": bad},
                           headers=headers)
    assert response.status_code == 422
    assert "definition.groups.0.conditions.0" in response.json["error"]["fields"]
    assert client.get("/api/v1/segments", headers=headers).json["data"] == []
    wrong_kind = {"groups": [{"conditions": [{"kind": "shoe_size", "op": "equals"}]}]}
    assert client.post("/api/v1/segments", json={"name": "X", "definition": wrong_kind},
                       headers=headers).status_code == 422


def test_read_scope_cannot_write(client):
    headers = auth(make_key(scopes=["segments:read"]))
    response = client.post("/api/v1/segments", json={"name": "A", "definition": VIENNA},
                           headers=headers)
    assert response.status_code == 403


def test_campaign_audience_is_the_segment(client, worker, smtp_server):
    headers = auth(make_key())
    list_id = _readers()
    segment_id = client.post("/api/v1/segments", json={"name": "Viennese",
                                                       "definition": VIENNA},
                             headers=headers).json["id"]
    created = client.post("/api/v1/campaigns", json={
        "name": "Local", "subject": "Hi", "list_ids": [list_id], "html": "<p>Hi</p>",
        "segment_id": segment_id}, headers=headers)
    assert created.status_code == 201 and created.json["segment_id"] == segment_id
    base = f"/api/v1/campaigns/{created.json['id']}"
    in_use = client.delete(f"/api/v1/segments/{segment_id}", headers=headers)
    assert in_use.status_code == 422 and "Local" in in_use.json["error"]["message"]
    started = client.post(f"{base}/start", headers=headers)
    assert "2 recipients" in started.json["message"], started.json
    worker()
    assert len(mails_to(smtp_server, "r0@example.com")) == 1
    assert mails_to(smtp_server, "r2@example.com") == []


def test_campaign_update_sets_and_clears_the_segment(client):
    headers = auth(make_key())
    list_id = _readers()
    created = client.post("/api/v1/campaigns", json={
        "name": "All", "subject": "Hi", "list_ids": [list_id], "html": "<p>Hi</p>"},
        headers=headers).json
    assert created["segment_id"] is None
    base = f"/api/v1/campaigns/{created['id']}"
    missing = client.patch(base, json={"segment_id": 999}, headers=headers)
    assert missing.status_code == 422 and "segment_id" in missing.json["error"]["fields"]
    segment_id = client.post("/api/v1/segments", json={"name": "V", "definition": VIENNA},
                             headers=headers).json["id"]
    assert client.patch(base, json={"segment_id": segment_id},
                        headers=headers).json["segment_id"] == segment_id
    assert client.patch(base, json={"segment_id": None},
                        headers=headers).json["segment_id"] is None
