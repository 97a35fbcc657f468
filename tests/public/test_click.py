"""/c/<token>: the redirect goes to the stored target, never one read from the URL."""

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
    token = tokens.sign(tokens.Purpose.CLICK, [link.id, 7])
    response = client.get(f"/c/{token}")
    assert response.status_code == 302 and response.location == "https://shop.example/a"
    assert response.headers["Cache-Control"] == "no-store"
    worker()
    click = db.session.scalar(select(Click))
    assert click.link_id == link.id and click.delivery_id is None  # no such delivery


def test_a_click_token_for_a_deleted_link_is_404(client, app):
    link = make_link()
    token = tokens.sign(tokens.Purpose.CLICK, [link.id + 1, 1])
    assert client.get(f"/c/{token}").status_code == 404


def test_payload_that_is_not_ids_is_refused(client, app):
    for payload in (["https://evil.example/", 1], {"u": "https://evil.example/"}, [1]):
        token = tokens.sign(tokens.Purpose.CLICK, payload)
        response = client.get(f"/c/{token}")
        assert response.status_code == 404 and "Location" not in response.headers


def test_click_url_is_short_and_carries_no_target(app):
    with app.test_request_context():
        url = clicks.click_url("https://n.example", 12345, 6789012)
    assert len(url) < 90 and "shop" not in url


def test_public_views_are_rate_limited_per_ip(app, client):
    app.config["RATE_CLICK_IP"] = "2/60"
    app.config["RATE_VIEW_IP"] = "1/60"
    for _ in range(2):
        assert client.get("/c/not-a-token").status_code == 404
    limited = client.get("/c/not-a-token")
    assert limited.status_code == 429 and "Location" not in limited.headers
    assert client.get("/m/not-a-token").status_code == 404
    assert client.get("/m/not-a-token").status_code == 429
