"""The campaign list (search, state and list filters, sort, pages), duplicating any
campaign, and scheduling in the editor's own time zone."""

from datetime import datetime

from sqlalchemy import func, select

from newsletter.campaigns import drafts
from newsletter.extensions import db
from newsletter.models import Campaign, CampaignAttachment, Delivery, StepCampaign, User
from tests import factories
from tests.automation.sequence_helpers import sequence
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start


def _rows(html: str) -> int:
    return html.count('<td><span class="badge badge-')


def test_search_filter_by_state_and_list_sort_and_pages(client, login, worker):
    login()
    weekly = list_with_contacts("a@example.com", name="Weekly")
    monthly = list_with_contacts("b@example.com", name="Monthly")
    for i in range(27):
        draft(weekly, subject=f"Weekly issue {i}")
    june = draft(monthly, subject="June sale")
    june.name = "June sale"
    db.session.commit()
    start(factories.tested(june))
    worker()

    page = client.get("/admin/campaigns").text
    assert "28 campaigns" in page and "page 1 of 2" in page and _rows(page) == 25
    assert 'rel="next"' in page
    second = client.get("/admin/campaigns?page=2").text
    assert _rows(second) == 3 and 'rel="prev"' in second

    found = client.get("/admin/campaigns?q=june").text
    assert "1 campaign matches" in found and "June sale" in found and _rows(found) == 1
    finished = client.get("/admin/campaigns?state=finished").text
    assert _rows(finished) == 1 and "badge-finished" in finished
    by_list = client.get(f"/admin/campaigns?list_id={monthly.id}").text
    assert _rows(by_list) == 1 and "June sale" in by_list
    assert client.get(f"/admin/campaigns?list_id={weekly.id}&state=draft").text.count(
        "Weekly issue") == 25
    by_name = client.get("/admin/campaigns?sort=name").text
    assert by_name.index("June sale") < by_name.index("Test campaign")
    newest = client.get("/admin/campaigns").text
    assert newest.index("June sale") < newest.index("Test campaign")
    sent_first = client.get("/admin/campaigns?sort=sent").text
    assert "sent " in sent_first
    assert sent_first.index("June sale") < sent_first.index("Weekly issue")
    # nonsense in the address is ignored, not an error
    assert client.get("/admin/campaigns?state=zzz&list_id=x&page=-4&sort=?").status_code == 200


def test_any_campaign_can_be_duplicated_into_a_fresh_draft(client, login, worker):
    login()
    mlist = list_with_contacts("a@example.com", "b@example.com")
    sent = factories.composed(mlist, [{"type": "text", "text": "<p>Big news</p>"}],
                              subject="News for {{ first_name }}")
    sent.preheader = "Read this first"
    sent.attachments.append(CampaignAttachment(filename="a.pdf", content_type="application/pdf",
                                               size=3, data=b"%PD"))
    db.session.commit()
    start(factories.tested(sent))
    worker()
    db.session.expire_all()
    assert db.session.get(Campaign, sent.id).status == "finished"

    response = client.post(f"/admin/campaigns/{sent.id}/duplicate")
    assert response.status_code == 302 and response.location.endswith("/edit")
    copy_id = int(response.location.split("/")[-2])
    copy = db.session.get(Campaign, copy_id)
    assert copy.status == "draft" and copy.name == "Copy of Composed"
    assert copy.subject == "News for {{ first_name }}" and copy.preheader == "Read this first"
    assert copy.blocks == sent.blocks and copy.blocks is not sent.blocks
    assert [m.id for m in copy.lists] == [mlist.id]
    assert [a.filename for a in copy.attachments] == ["a.pdf"]
    assert copy.tested_at is None and copy.started_at is None and copy.send_at is None
    assert db.session.scalar(select(func.count()).select_from(Delivery)
                             .where(Delivery.campaign_id == copy_id)) == 0
    editor = client.get(response.location).text
    assert "Duplicated: this is the copy" in editor and "Big news" in editor
    # the copy can be sent on its own
    start(factories.tested(copy))
    worker()
    db.session.expire_all()
    assert db.session.get(Campaign, copy_id).status == "finished"


def test_duplicating_a_scheduled_campaign_leaves_it_scheduled(app, login, client):
    login()
    scheduled = draft(list_with_contacts("a@example.com"))
    scheduled.status, scheduled.send_at = "scheduled", datetime(2099, 1, 1, 8)
    db.session.commit()
    copy = drafts.duplicate_campaign(db.session, scheduled.id)
    db.session.commit()
    assert copy.status == "draft" and copy.send_at is None
    assert db.session.get(Campaign, scheduled.id).status == "scheduled"


def test_viewer_cannot_duplicate(client, login):
    campaign = draft(list_with_contacts("a@example.com"))
    login("viewer", email="viewer@example.com")
    assert client.post(f"/admin/campaigns/{campaign.id}/duplicate").status_code == 403
    assert "Duplicate" not in client.get("/admin/campaigns").text


def test_scheduling_happens_in_the_editors_own_time_zone(client, login):
    login()
    saved = client.post("/admin/account", data={"time_zone": "Europe/Bratislava"},
                        follow_redirects=True)
    assert "Times are now shown in Europe/Bratislava." in saved.text
    assert db.session.scalar(select(User.time_zone).where(
        User.email == "editor@example.com")) == "Europe/Bratislava"
    campaign = draft(list_with_contacts("a@example.com"))
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "Send at (your time, Europe/Bratislava)" in page
    # 1 July, summer time: 09:30 in Bratislava is 07:30 UTC
    question = client.post(f"/admin/campaigns/{campaign.id}/schedule",
                           data={"send_at": "2099-07-01T09:30", "confirm_warnings": "y"})
    assert "2099-07-01 09:30 CEST (Europe/Bratislava)" in question.text
    done = client.post(f"/admin/campaigns/{campaign.id}/schedule", data={
        "send_at": "2099-07-01T09:30", "confirm_warnings": "y", "confirmed": "1"},
        follow_redirects=True).text
    assert "Scheduled for 2099-07-01 09:30 CEST (Europe/Bratislava)" in done
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).send_at == datetime(2099, 7, 1, 7, 30)
    listed = client.get("/admin/campaigns?state=scheduled").text
    assert "scheduled for 2099-07-01 09:30 CEST (Europe/Bratislava)" in listed


def test_a_date_and_a_delay_together_is_an_error_not_a_guess(client, login):
    login()
    campaign = draft(list_with_contacts("a@example.com"))
    page = client.post(f"/admin/campaigns/{campaign.id}/schedule", data={
        "send_at": "2099-07-01T09:30", "delay_minutes": "30", "confirm_warnings": "y",
        "confirmed": "1"}, follow_redirects=True).text
    assert "Give either a date and time or a delay, not both" in page
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_an_unknown_time_zone_is_refused(client, login):
    login()
    response = client.post("/admin/account", data={"time_zone": "Mars/Olympus"})
    assert response.status_code == 422 and "Not a valid choice" in response.text


def test_a_sequences_messages_are_not_listed_among_the_campaigns(client, login):
    mlist = list_with_contacts("a@example.com", name="Welcome list")
    seq = sequence(mlist, (0, "Welcome aboard"))
    carrier = draft(mlist, subject="Welcome aboard, sent")
    db.session.add(StepCampaign(step_id=seq.steps[0].id, cycle=0, campaign_id=carrier.id))
    draft(mlist, subject="The monthly newsletter")
    db.session.commit()
    login()
    page = client.get("/admin/campaigns").text
    assert "The monthly newsletter" in page
    assert "Welcome aboard" not in page  # the step's template and its sends: the sequence's
    assert _rows(page) == 1  # the newsletter alone
