"""The segment editor: building groups with plain buttons, the live count (a GET that
only counts), saving, the campaign form's audience choice, and deleting."""

from newsletter.extensions import db
from newsletter.models import Campaign, Segment

from .world import build


def form_data(name="Bratislava", groups=None, action="save"):
    data = {"name": name, "description": "", "match": "all", "action": action}
    for g, (match, conditions) in enumerate(groups or []):
        data[f"groups-{g}-match"] = match
        for c, (kind, op, key, value) in enumerate(conditions):
            prefix = f"groups-{g}-conditions-{c}-"
            data.update({prefix + "kind": kind, prefix + "op": op, prefix + "key": key,
                         prefix + "value": value})
    return data


CITY = ("attribute", "equals", "city", "Bratislava")
NEWS = ("list", "member", "", "News")


def test_build_count_and_save_a_segment(app, client, login):
    world = build()
    login("editor")
    page = client.get("/admin/segments/new")
    assert page.status_code == 200 and "Add a group" in page.text
    grown = client.post("/admin/segments/new",
                        data=form_data(groups=[("all", [CITY])], action="add-condition:0"))
    assert grown.status_code == 200
    assert 'name="groups-0-conditions-1-kind"' in grown.text  # a second row, unsaved
    assert db.session.query(Segment).count() == 0

    counted = client.post("/admin/segments/new",
                          data=form_data(groups=[("all", [CITY, NEWS])], action="count"))
    assert "<strong>2</strong> contacts match now" in counted.text  # ann and eve
    live = client.get("/admin/segments/count", query_string=form_data(
        groups=[("any", [CITY, NEWS])]))
    assert live.json["count"] == 4 and live.json["error"] is None  # ann, bob, dan, eve
    assert live.json["text"] == "4 contacts match now."
    bad = client.get("/admin/segments/count", query_string=form_data(
        groups=[("all", [("list", "member", "", "Nope")])]))
    assert bad.status_code == 422 and "No list 'Nope'" in bad.json["error"]

    saved = client.post("/admin/segments/new", data=form_data(groups=[("all", [CITY, NEWS])]))
    assert saved.status_code == 302
    segment = db.session.query(Segment).one()
    # the list is kept by its number: renaming it changes nothing
    assert segment.definition["groups"][0]["conditions"][1]["value"] == f"#{world.news}"
    shown = client.get(saved.location)
    assert "<strong>2</strong> contacts match now" in shown.text
    assert 'value="Bratislava"' in shown.text


def test_a_bad_condition_is_not_saved(app, client, login):
    build()
    login("editor")
    response = client.post("/admin/segments/new", data=form_data(
        groups=[("all", [("created", "before", "", "soon")])]))
    assert response.status_code == 200
    assert "Group 1, condition 1: Give a date as YYYY-MM-DD." in response.text
    assert db.session.query(Segment).count() == 0


def test_campaign_form_offers_segments_and_delete_is_refused_while_used(app, client, login):
    world = build()
    login("editor")
    client.post("/admin/segments/new", data=form_data(groups=[("all", [CITY])]))
    segment = db.session.query(Segment).one()
    page = client.get("/admin/campaigns/new")
    assert f'<option value="{segment.id}">Bratislava</option>' in page.text
    created = client.post("/admin/campaigns/new", data={
        "name": "Local", "subject": "Hello", "lists": [str(world.news)], "sender": "0",
        "theme": "0", "template": "blank", "language": "en", "branch": "0",
        "segment": str(segment.id), "action": "save",
        "blocks-0-type": "text", "blocks-0-text": "<p>Hi</p>"})
    assert created.status_code == 302, created.text
    campaign = db.session.query(Campaign).filter_by(name="Local").one()
    assert campaign.segment_id == segment.id
    assert "Bratislava</a> (evaluated when the campaign starts)" in client.get(
        f"/admin/campaigns/{campaign.id}").text

    refused = client.post(f"/admin/segments/{segment.id}/delete", follow_redirects=True)
    assert "The segment is the audience of &#39;Local&#39;" in refused.text
    db.session.expire_all()
    assert db.session.get(Segment, segment.id) is not None


def test_viewers_see_but_cannot_save(app, client, login):
    build()
    login("viewer")
    assert client.get("/admin/segments").status_code == 200
    assert client.post("/admin/segments/new", data=form_data(
        groups=[("all", [CITY])])).status_code == 403


def test_an_sms_campaign_takes_a_segment_too(app, client, login):
    from newsletter.audience import lists
    from newsletter.campaigns import recipients
    from tests.sms.test_admin import form
    from tests.sms.test_sending import sms_contact

    login("editor")
    phones = lists.create_list(db.session, "Phones", optin="single")
    db.session.commit()
    sms_contact(phones, "jan@example.com", "+421905123456", first_name="Ján")
    sms_contact(phones, "eva@example.com", "+421905654321", first_name="Eva")
    client.post("/admin/segments/new", data=form_data(
        "Jan", groups=[("all", [("field", "equals", "first_name", "Ján")])]))
    segment = db.session.query(Segment).one()
    assert f'<option value="{segment.id}">Jan</option>' in client.get(
        "/admin/campaigns/new-sms").text
    assert client.post("/admin/campaigns/new-sms", data=form(
        phones, segment=str(segment.id))).status_code == 302
    campaign = db.session.query(Campaign).one()
    assert campaign.segment_id == segment.id
    assert recipients.count_recipients(db.session, campaign.id) == 1
