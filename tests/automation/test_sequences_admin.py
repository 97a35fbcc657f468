"""The sequence screens: create a sequence, add steps (composed like a campaign), change a
delay, activate and pause, the per-step statistics and the note about edits; bad input
re-renders the form with the error at its field and loses nothing."""

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Sequence, SequenceStatus, SequenceStep
from tests.automation.sequence_helpers import compose
from tests.factories import list_with_contacts

NOTE = "affects only contacts who have not reached it"


def test_a_welcome_sequence_is_built_on_its_pages(client, login):
    login()
    mlist = list_with_contacts(name="Readers")
    assert client.get("/admin/sequences").status_code == 200
    page = client.post("/admin/sequences/new", data={
        "name": "Welcome", "list_id": mlist.id, "trigger": "confirmation", "segment_id": 0,
        "date_attribute": ""}, follow_redirects=True)
    assert "Now add its first step" in page.text
    sequence = db.session.scalar(select(Sequence))
    created = client.post(f"/admin/sequences/{sequence.id}/steps/new", data={
        "subject": "Welcome, {{ first_name }}", "delay": 0, "delay_unit": "minutes",
        "template": "blank"})
    step = db.session.scalar(select(SequenceStep))
    compose_url = f"/admin/campaigns/{step.template_campaign_id}/edit"
    assert created.headers["Location"].endswith(compose_url)
    composer = client.get(created.headers["Location"]).text
    assert NOTE.replace("it", "this step") in composer.replace("\n", " ")
    compose(step, "Welcome, {{ first_name }}")
    client.post(f"/admin/sequences/{sequence.id}/steps/new", data={
        "subject": "A week later", "delay": 7, "delay_unit": "days", "template": "blank"})
    page = client.get(f"/admin/sequences/{sequence.id}").text
    assert NOTE in page and "7 days after the previous step" in page
    assert "at once after the enrolment" in page

    refused = client.post(f"/admin/sequences/{sequence.id}/activate", follow_redirects=True)
    assert "Step 2 has no subject or no content" in refused.text
    second = db.session.scalars(select(SequenceStep).order_by(SequenceStep.position)).all()[1]
    compose(second, "A week later")
    client.post(f"/admin/sequences/{sequence.id}/activate")
    db.session.expire_all()
    assert db.session.get(Sequence, sequence.id).status == SequenceStatus.ACTIVE
    client.post(f"/admin/sequences/{sequence.id}/steps/{second.id}", data={
        "delay": 36, "delay_unit": "hours"})
    db.session.expire_all()
    assert db.session.get(SequenceStep, second.id).delay_minutes == 36 * 60
    client.post(f"/admin/sequences/{sequence.id}/pause")
    db.session.expire_all()
    assert db.session.get(Sequence, sequence.id).status == SequenceStatus.PAUSED
    campaign_page = client.get(f"/admin/campaigns/{step.template_campaign_id}").text
    assert "step 1 of the sequence" in campaign_page and ">Send<" not in campaign_page


def test_bad_input_is_shown_at_its_field_and_kept(client, login):
    login()
    mlist = list_with_contacts(name="Readers")
    page = client.post("/admin/sequences/new", data={
        "name": "Birthdays", "list_id": mlist.id, "trigger": "date", "segment_id": 0,
        "date_attribute": "birth day!"})
    assert page.status_code == 422
    assert "Name the contact attribute" in page.text and 'value="Birthdays"' in page.text
    page = client.post("/admin/sequences/new", data={
        "name": "Joiners", "list_id": mlist.id, "trigger": "segment", "segment_id": 0})
    assert page.status_code == 422 and "Choose the segment" in page.text
    assert db.session.scalar(select(Sequence)) is None

    client.post("/admin/sequences/new", data={
        "name": "Welcome", "list_id": mlist.id, "trigger": "confirmation", "segment_id": 0})
    sequence = db.session.scalar(select(Sequence))
    for delay, error in (("soon", "whole number"), ("-1", "Number must be")):
        page = client.post(f"/admin/sequences/{sequence.id}/steps/new", data={
            "subject": "Hello there", "delay": delay, "delay_unit": "days",
            "template": "blank"})
        assert page.status_code == 422 and error in page.text
        assert 'value="Hello there"' in page.text
    page = client.post(f"/admin/sequences/{sequence.id}/steps/new", data={
        "subject": "Hello there", "delay": 400, "delay_unit": "days", "template": "blank"})
    assert page.status_code == 422 and "between 0 and 366 days" in page.text
    assert db.session.scalar(select(SequenceStep)) is None
    assert client.get(f"/admin/sequences/{sequence.id}/steps/999").status_code == 404
