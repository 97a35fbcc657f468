"""Click tracking from a sent message to recorded clicks: links are signed click URLs whose
targets live in the database; clicks go through Redis and a job records them."""

import re

from itsdangerous import Signer
from sqlalchemy import select

from newsletter import jobs, queue
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from newsletter.models import Click, Contact, Delivery, Link
from newsletter.tracking import clicks
from tests.factories import composed, draft, list_with_contacts
from tests.tracking.helpers import BLOCKS, html_links, path_of, received, send


def test_links_in_sent_messages_are_tracked_and_clicks_recorded(client, worker, smtp_server):
    campaign = send("a@example.com", "b@example.com", worker=worker)
    msg = received(smtp_server, "a@example.com")
    tracked = [u for u in html_links(msg) if "/c/" in u]
    assert len(tracked) == 2
    assert not any("shop.example" in u or "blog.example" in u for u in html_links(msg))
    text = msg.get_body(("plain",)).get_content()
    assert tracked[0] in text and "shop.example" not in text
    assert {link.url for link in db.session.scalars(select(Link))} == {
        "https://shop.example/sale?a=1&b=2", "https://blog.example/"}

    response = client.get(path_of(tracked[0]))
    assert response.status_code == 302
    assert response.location == "https://shop.example/sale?a=1&b=2"
    client.get(path_of(tracked[0]))
    client.get(path_of(tracked[1]))
    assert db.session.scalar(select(Click.id)) is None  # recorded by the job, not the request
    worker()
    delivery = db.session.scalar(select(Delivery).where(Delivery.address == "a@example.com"))
    recorded = db.session.execute(select(Link.url, Click.delivery_id).join(Link)).all()
    assert sorted(recorded) == [("https://blog.example/", delivery.id),
                                ("https://shop.example/sale?a=1&b=2", delivery.id),
                                ("https://shop.example/sale?a=1&b=2", delivery.id)]
    assert queue.get_redis().llen(clicks.EVENTS_KEY) == 0
    assert campaign.id == db.session.scalar(select(Link.campaign_id).limit(1))


def test_a_tampered_click_link_gets_404_and_no_redirect(client, worker, smtp_server):
    send("a@example.com", worker=worker)
    url = path_of(next(u for u in html_links(received(smtp_server, "a@example.com"))
                       if "/c/" in u))
    _, _, token, number = url.split("/")
    payload, _, signature = token.rpartition(".")
    middle = len(signature) // 2
    flipped = signature[:middle] + ("A" if signature[middle] != "A" else "B") \
        + signature[middle + 1:]
    for bad in (f"{payload}.{flipped}", "WzIsMl0" + token[7:], "https://evil.example/",
                f"{payload}x.{signature}", token[:-1], f"{token}x", ""):
        response = client.get(f"/c/{bad}/{number}")
        assert response.status_code == 404 and "Location" not in response.headers
    assert client.get(f"/c/{token}/{number}").status_code == 302  # the real one works
    worker()
    assert len(db.session.scalars(select(Click)).all()) == 1


def test_click_links_open_pixel_and_web_view_share_the_message_token(client, worker,
                                                                    smtp_server):
    campaign = send("a@example.com", "b@example.com", worker=worker, track_opens=True)
    found = {}
    for address in ("a@example.com", "b@example.com"):
        msg = received(smtp_server, address)
        tracked = [path_of(u).split("/") for u in html_links(msg) if "/c/" in u]
        [token] = {parts[2] for parts in tracked}  # one token for all the message's links
        link_ids = sorted(db.session.scalars(
            select(Link.id).where(Link.campaign_id == campaign.id)))
        assert sorted(int(parts[3]) for parts in tracked) == link_ids
        html = msg.get_body(("html",)).get_content()
        assert f"/o/{token}.gif" in html
        assert any(path_of(u) == f"/m/{token}" for u in html_links(msg))
        found[address] = token
    assert found["a@example.com"] != found["b@example.com"]  # one token per message
    token = found["b@example.com"]
    page = client.get(f"/m/{token}")
    assert page.status_code == 200 and f"/c/{token}/" in page.text  # the same links
    assert client.get(f"/o/{token}.gif").status_code == 200
    worker()
    opened = db.session.scalar(select(Delivery).where(Delivery.opened_at.is_not(None)))
    assert opened.address == "b@example.com"


def test_a_message_is_signed_once_not_once_per_link(worker, smtp_server, monkeypatch):
    """Per message itsdangerous signs three tokens: the message token (15 links, pixel
    and web view), the unsubscribe link and the profile link."""
    blocks = [{"type": "text", "text": "".join(
        f'<p><a href="https://shop.example/{i}">item {i}</a></p>' for i in range(15))}]
    signed = []
    real = Signer.get_signature

    def counting(self, value):
        signed.append(self.salt.decode().rpartition(".")[2])
        return real(self, value)

    monkeypatch.setattr(Signer, "get_signature", counting)
    send("a@example.com", "b@example.com", blocks=blocks, worker=worker, track_opens=True)
    assert sorted(signed) == ["message"] * 2 + ["profile"] * 2 + ["unsubscribe"] * 2
    msg = received(smtp_server, "a@example.com")
    assert len([u for u in html_links(msg) if "/c/" in u]) == 15


def test_tracking_opt_out_keeps_links_untracked(worker, smtp_server):
    mlist = list_with_contacts("private@example.com", "a@example.com")
    contact = db.session.scalar(select(Contact).where(Contact.email == "private@example.com"))
    contact.tracking_opt_out = True
    db.session.commit()
    campaign = composed(mlist, BLOCKS, track_opens=True)
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    private = received(smtp_server, "private@example.com")
    assert "https://shop.example/sale?a=1&b=2" in html_links(private)
    assert not any("/c/" in u for u in html_links(private))
    assert "/o/" not in private.get_body(("html",)).get_content()
    tracked = received(smtp_server, "a@example.com")
    assert any("/c/" in u for u in html_links(tracked))
    assert "/o/" in tracked.get_body(("html",)).get_content()


def test_open_pixel_is_off_by_default_and_records_first_open_when_on(client, worker,
                                                                     smtp_server):
    send("a@example.com", worker=worker)
    html = received(smtp_server, "a@example.com").get_body(("html",)).get_content()
    assert "/o/" not in html
    smtp_server.reset()
    send("b@example.com", worker=worker, track_opens=True)
    html = received(smtp_server, "b@example.com").get_body(("html",)).get_content()
    pixel = re.search(r'src="([^"]+/o/[^"]+\.gif)"', html).group(1)
    response = client.get(path_of(pixel))
    assert response.status_code == 200 and response.mimetype == "image/gif"
    client.get(path_of(pixel))
    worker()
    delivery = db.session.scalar(select(Delivery).where(Delivery.address == "b@example.com"))
    assert delivery.opened_at is not None
    assert client.get(path_of(pixel).replace("/o/", "/o/x")).status_code == 404


def test_events_pushed_while_the_drain_gate_is_set_are_not_lost(app, worker):
    """A click that arrives while a drain job is already queued is recorded by that job; one
    that arrives after the job cleared its gate enqueues a new one."""
    campaign = draft(list_with_contacts("x@example.com"))
    link = Link(campaign_id=campaign.id, url="https://a.example/")
    db.session.add(link)
    db.session.commit()
    redis = queue.get_redis()
    clicks.push_event(redis, "c", link.id, 0)
    clicks.push_event(redis, "c", link.id, 0)  # gate set: no second job
    assert len(queue.get_queue(queue.TRACKING)) == 1
    worker()
    assert redis.get(clicks.DRAIN_GATE_KEY) is None
    clicks.push_event(redis, "c", link.id, 0)
    worker()
    assert len(db.session.scalars(select(Click)).all()) == 3


def test_clicks_after_a_later_opt_out_are_not_recorded(client, worker, smtp_server):
    send("a@example.com", "b@example.com", worker=worker)
    link_a = next(u for u in html_links(received(smtp_server, "a@example.com")) if "/c/" in u)
    link_b = next(u for u in html_links(received(smtp_server, "b@example.com")) if "/c/" in u)
    db.session.scalar(select(Contact).where(Contact.email == "a@example.com")) \
        .tracking_opt_out = True
    db.session.commit()
    assert client.get(path_of(link_a)).status_code == 302  # the redirect still works
    client.get(path_of(link_b))
    worker()
    delivery_b = db.session.scalar(select(Delivery.id).where(Delivery.address == "b@example.com"))
    assert db.session.scalars(select(Click.delivery_id)).all() == [delivery_b]
