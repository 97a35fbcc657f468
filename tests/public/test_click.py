"""/c/<message token>/<link number>: the redirect goes to the stored target of a link of the
token's campaign, never one read from the URL."""

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Click, Link
from newsletter.platform import tokens
from newsletter.tracking import clicks
from tests.factories import draft, list_with_contacts


def make_link(url="https://shop.example/a"):
    campaign = draft(list_with_contacts("a@example.com"))
    link = Link(campaign_id=campaign.id, url=url)
    db.session.add(link)
    db.session.commit()
    return link


def test_click_redirects_at_once_to_the_stored_target(client, worker):
    link = make_link()
    token = clicks.message_token(link.campaign_id, 7)
    response = client.get(f"/c/{token}/{link.id}")
    assert response.status_code == 302 and response.location == "https://shop.example/a"
    assert response.headers["Cache-Control"] == "no-store"
    worker()
    click = db.session.scalar(select(Click))
    assert click.link_id == link.id and click.delivery_id is None  # no such delivery


def test_a_click_on_a_deleted_link_is_404(client, app):
    link = make_link()
    token = clicks.message_token(link.campaign_id, 1)
    assert client.get(f"/c/{token}/{link.id + 1}").status_code == 404
    assert client.get(f"/c/{token}/{2**31}").status_code == 404  # beyond any link id
    assert client.get(f"/c/{token}/-1").status_code == 404
    assert client.get(f"/c/{token}/x").status_code == 404


def test_a_link_of_another_campaign_is_404_and_records_nothing(client, worker):
    ours, theirs = make_link(), make_link("https://evil.example/")
    assert ours.campaign_id != theirs.campaign_id
    token = clicks.message_token(ours.campaign_id, 7)
    assert client.get(f"/c/{token}/{ours.id}").status_code == 302  # caches our link
    for _ in range(2):  # whether its row is read or cached
        response = client.get(f"/c/{token}/{theirs.id}")
        assert response.status_code == 404 and "Location" not in response.headers
    worker()
    assert [c.link_id for c in db.session.scalars(select(Click))] == [ours.id]


def test_payload_that_is_not_campaign_and_delivery_ids_is_refused(client, app):
    link = make_link()
    for payload in (["https://evil.example/", 1], {"u": "https://evil.example/"},
                    [link.campaign_id], [link.campaign_id, 1, 2], [link.campaign_id, "1"],
                    [True, 1]):
        token = tokens.sign(tokens.Purpose.MESSAGE, payload)
        response = client.get(f"/c/{token}/{link.id}")
        assert response.status_code == 404 and "Location" not in response.headers


def test_a_token_of_another_purpose_is_not_a_message_token(client, app):
    link = make_link()
    for purpose in (tokens.Purpose.UNSUBSCRIBE, tokens.Purpose.PROFILE,
                    tokens.Purpose.CONFIRM):
        token = tokens.sign(purpose, [link.campaign_id, 1])
        assert client.get(f"/c/{token}/{link.id}").status_code == 404
        assert client.get(f"/o/{token}.gif").status_code == 404
        assert client.get(f"/m/{token}").status_code == 404


def test_click_url_is_short_and_carries_no_target(app):
    url = clicks.click_url("https://n.example", clicks.message_token(12345, 6789012), 98765)
    assert len(url) < 90 and "shop" not in url
    assert url.startswith("https://n.example/c/") and url.endswith("/98765")


def test_public_views_are_rate_limited_per_ip(app, client):
    app.config["RATE_CLICK_IP"] = "2/60"
    app.config["RATE_VIEW_IP"] = "1/60"
    for _ in range(2):
        assert client.get("/c/not-a-token/1").status_code == 404
    limited = client.get("/c/not-a-token/1")
    assert limited.status_code == 429 and "Location" not in limited.headers
    assert client.get("/m/not-a-token").status_code == 404
    assert client.get("/m/not-a-token").status_code == 429

