"""The recurring series screens: make a draft recurring, see the next run in its zone,
pause and resume, and the log of runs."""

from newsletter.automation import recurring
from newsletter.extensions import db
from newsletter.models import RecurringSeries, utcnow
from tests.factories import draft, list_with_contacts


def test_create_pause_resume_and_see_runs(app, client, login):
    template = draft(list_with_contacts("a@example.com"), subject="Weekly")
    login("editor")
    form = client.get(f"/admin/recurring/new?campaign={template.id}")
    assert f'<option selected value="{template.id}">' in form.text

    bad = client.post("/admin/recurring/new", data={
        "name": "Weekly", "template": str(template.id), "cron": "mondays at nine",
        "timezone": "Europe/Bratislava"}, follow_redirects=True)
    assert "is not a cron expression" in bad.text
    assert db.session.query(RecurringSeries).count() == 0

    saved = client.post("/admin/recurring/new", data={
        "name": "Weekly", "template": str(template.id), "cron": "0 9 * * 1",
        "timezone": "Europe/Bratislava"})
    assert saved.status_code == 302
    series = db.session.query(RecurringSeries).one()
    page = client.get(saved.location)
    assert "Next run: <strong>" in page.text and "09:00 CE" in page.text  # CET or CEST
    assert "No runs yet." in page.text
    assert "Weekly" in client.get("/admin/recurring").text

    paused = client.post(f"/admin/recurring/{series.id}/pause", follow_redirects=True)
    assert "Series paused" in paused.text and "Resume the series" in paused.text
    db.session.expire_all()
    assert db.session.get(RecurringSeries, series.id).next_run_at is None
    resumed = client.post(f"/admin/recurring/{series.id}/resume", follow_redirects=True)
    assert "Series resumed; next run" in resumed.text

    series = db.session.get(RecurringSeries, series.id)
    series.next_run_at = utcnow()
    db.session.commit()
    run_id = recurring.run_due(db.session, series.id, utcnow())
    db.session.commit()
    assert f"campaign #{run_id}" in client.get(f"/admin/recurring/{series.id}").text
    # the template's page offers no send; a crafted POST is refused
    template_page = client.get(f"/admin/campaigns/{template.id}").text
    assert "is the template of the recurring series" in template_page
    assert "Send later" not in template_page
    assert "A run of the recurring series" in client.get(f"/admin/campaigns/{run_id}").text
    refused = client.post(f"/admin/campaigns/{template.id}/send", data={"confirmed": "1"},
                          follow_redirects=True)
    assert "template of a recurring series" in refused.text


def test_viewers_cannot_change_a_series(app, client, login, make_user):
    template = draft(list_with_contacts("a@example.com"))
    series = recurring.create_series(db.session, template.id, name="W", cron="0 9 * * 1",
                                     timezone="UTC", now=utcnow())
    db.session.commit()
    login("viewer")
    assert client.get(f"/admin/recurring/{series.id}").status_code == 200
    assert client.post(f"/admin/recurring/{series.id}/pause").status_code == 403
