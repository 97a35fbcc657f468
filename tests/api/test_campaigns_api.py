"""/api/v1/campaigns: create from blocks or HTML, test send, schedule, start, pause,
resume, cancel and statistics, with the real worker and SMTP server."""

from datetime import UTC, datetime, timedelta

from newsletter.audience import lists
from newsletter.extensions import db
from tests.public.helpers import mails_to

from .helpers import auth, make_key

HTML = "<p>Hello {{ first_name | default('reader') }}</p><script>x()</script>"


def _list_with_readers(count: int = 3) -> int:
    mlist = lists.create_list(db.session, "Weekly")
    for i in range(count):
        lists.add_contact_to_list(db.session, mlist.id, f"r{i}@example.com", first_name="Ana")
    db.session.commit()
    return mlist.id


def _create(client, headers, list_id, **body):
    payload = {"name": "Issue 1", "subject": "News", "list_ids": [list_id], "html": HTML,
               **body}
    response = client.post("/api/v1/campaigns", json=payload, headers=headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_create_test_send_start_and_statistics(client, worker, smtp_server):
    headers = auth(make_key())
    campaign_id = _create(client, headers, _list_with_readers())
    test = client.post(f"/api/v1/campaigns/{campaign_id}/test",
                       json={"addresses": ["qa@example.com"]}, headers=headers)
    assert test.status_code == 202
    worker()
    sample = mails_to(smtp_server, "qa@example.com")
    assert len(sample) == 1
    html = sample[0].get_body(("html",)).get_content()
    assert "Hello Ana" not in html and "Hello" in html and "<script" not in html
    started = client.post(f"/api/v1/campaigns/{campaign_id}/start", headers=headers)
    assert started.json["status"] == "running" and "3 recipients" in started.json["message"]
    worker()
    stats = client.get(f"/api/v1/campaigns/{campaign_id}/statistics", headers=headers).json
    assert (stats["recipients"], stats["sent"], stats["status"]) == (3, 3, "finished")
    assert len(mails_to(smtp_server, "r1@example.com")) == 1


def test_pause_resume_cancel_and_wrong_state(client):
    headers = auth(make_key())
    campaign_id = _create(client, headers, _list_with_readers(),
                          html=None, blocks=[{"type": "text", "text": "<p>Hi</p>"}])
    base = f"/api/v1/campaigns/{campaign_id}"
    assert client.post(f"{base}/pause", headers=headers).status_code == 422  # a draft
    client.post(f"{base}/start", headers=headers)
    assert client.post(f"{base}/pause", headers=headers).json["status"] == "paused"
    assert client.post(f"{base}/resume", headers=headers).json["status"] == "running"
    assert client.post(f"{base}/cancel", headers=headers).json["status"] == "cancelled"
    assert client.get(base, headers=headers).json["finished_at"]


def test_schedule_and_bad_bodies(client):
    headers = auth(make_key())
    list_id = _list_with_readers(1)
    campaign_id = _create(client, headers, list_id)
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    scheduled = client.post(f"/api/v1/campaigns/{campaign_id}/schedule",
                            json={"send_at": later}, headers=headers)
    assert scheduled.json["status"] == "scheduled"
    both = client.post("/api/v1/campaigns", json={
        "name": "x", "subject": "y", "list_ids": [list_id], "html": "<p>a</p>",
        "blocks": []}, headers=headers)
    assert both.status_code == 422 and both.json["error"]["fields"]
    bad_tag = client.post("/api/v1/campaigns", json={
        "name": "x", "subject": "y", "list_ids": [list_id], "html": "<p>{{ oops </p>"},
        headers=headers)
    assert bad_tag.status_code == 422
    assert client.post("/api/v1/campaigns/999/start", headers=headers).status_code == 404
    reader = auth(make_key(scopes=["campaigns:read"], name="ro"))
    assert client.post(f"/api/v1/campaigns/{campaign_id}/cancel",
                       headers=reader).status_code == 403


def test_start_goes_through_the_checked_start(client):
    """Review holds and plan limits apply to the API's start as to the admin's Send."""
    from newsletter.models import AuditEntry
    from newsletter.platform import limits

    headers = auth(make_key())
    list_id = _list_with_readers()
    held_id = _create(client, headers, list_id,
                      html="<p>Kúpte si kratómový prášok so zľavou!</p>")
    held = client.post(f"/api/v1/campaigns/{held_id}/start", headers=headers)
    assert held.status_code == 200 and held.json["status"] == "review"
    assert held.json["message"] == "Held for review: the content matches Kratom."
    assert db.session.query(AuditEntry).filter_by(action="review.held").one().actor == \
        "api:CRM"
    limits.set_limits(db.session, {"emails_month": 2}, "owner@example.com")
    db.session.commit()
    plain = _create(client, headers, list_id)
    refused = client.post(f"/api/v1/campaigns/{plain}/start", headers=headers)
    assert refused.status_code == 422
    assert "allows 2 e-mail messages a month; 0 were sent this month, so 2 are left and " \
           "this campaign has 3 recipients" in refused.json["error"]["message"]
    assert client.get(f"/api/v1/campaigns/{plain}", headers=headers).json["status"] == "draft"
