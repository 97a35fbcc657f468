"""Feed-driven series against a real local HTTP server: RSS and Atom items fill the run
where the template says, only items new since the last run, conditional requests, nothing
new means no run, and the fetch refuses what it must (malformed, huge, private)."""

from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from newsletter import jobs
from newsletter.automation import feeds, recurring
from newsletter.extensions import db
from newsletter.models import Campaign, RecurringRun, RecurringSeries, RunOutcome, utcnow
from tests.factories import composed, list_with_contacts

from .feedserver import FeedServer, atom, rss

SPRING = {"title": "Spring fair", "link": "https://example.com/fair", "guid": "n-1",
          "summary": "<p>Stalls &amp; music on the square.</p>", "day": "2026-11-20",
          "image": "https://example.com/fair.jpg"}
CONCERT = {"title": "Concert", "link": "https://example.com/concert", "guid": "n-2",
           "summary": "An evening of songs.", "day": "2026-11-25"}
TEMPLATE = [{"type": "heading", "text": "Site news"},
            {"type": "text", "text": "<p>[feed items]</p>"},
            {"type": "text", "text": "<p>See you next week.</p>"}]


@pytest.fixture
def server():
    running = FeedServer()
    yield running
    running.stop()


def _series(url: str, allow_private: bool = True) -> RecurringSeries:
    template = composed(list_with_contacts("a@example.com", "b@example.com"), TEMPLATE,
                        subject="News for {{ first_name }}")
    series = recurring.create_series(db.session, template.id, name="Site news",
                                     cron="0 8 * * *", timezone="Europe/Bratislava",
                                     now=utcnow(), feed_url=url,
                                     feed_allow_private=allow_private)
    db.session.commit()
    return series


def _run(series: RecurringSeries, worker) -> RecurringRun:
    series.next_run_at = utcnow().replace(microsecond=0)
    db.session.commit()
    jobs.reap()
    worker()
    return db.session.scalars(select(RecurringRun).where(
        RecurringRun.series_id == series.id).order_by(RecurringRun.id.desc())).first()


def _html(received) -> str:
    message = message_from_bytes(received.data, policy=policy.default)
    return message.get_body(("html",)).get_content()


def test_rss_items_fill_the_issue_and_only_new_ones_go_next_time(app, worker, smtp_server,
                                                                   server):
    url = server.serve("/news.xml", rss([SPRING]), ETag='"v1"',
                       Last_Modified="Fri, 20 Nov 2026 08:00:00 GMT")
    series = _series(url)
    first = _run(series, worker)
    assert first.outcome == RunOutcome.STARTED
    assert len(smtp_server.messages) == 2
    html = _html(smtp_server.messages[0])
    assert html.index("Site news") < html.index("Spring fair") < html.index("See you next")
    assert "Stalls &amp; music on the square." in html and "2026-11-20" in html
    assert "[feed items]" not in html
    assert 'src="https://example.com/fair.jpg"' in html
    run = db.session.get(Campaign, first.campaign_id)
    assert 'href="https://example.com/fair"' in run.body_html  # tracked when sent

    # unchanged: the conditional request gets 304 and nothing goes
    second = _run(series, worker)
    assert (second.outcome, second.reason) == (RunOutcome.SKIPPED, "Nothing new in the feed.")
    assert server.requests[-1][1].get("If-None-Match") == '"v1"'
    assert server.requests[-1][1].get("If-Modified-Since") == "Fri, 20 Nov 2026 08:00:00 GMT"
    assert len(smtp_server.messages) == 2

    # a new item: only it goes
    server.serve("/news.xml", rss([CONCERT, SPRING]), ETag='"v2"')
    third = _run(series, worker)
    assert third.outcome == RunOutcome.STARTED
    html = _html(smtp_server.messages[-1])
    assert "Concert" in html and "Spring fair" not in html
    assert len(smtp_server.messages) == 4


def test_atom_feed_and_hostile_item_text(app, worker, smtp_server, server):
    hostile = {"title": "{{ config }} <script>alert(1)</script>Market",
               "link": "https://example.com/m?a={{x}}", "guid": "urn:m",
               "summary": "{% for x in range(10**9) %}x{% endfor %} <b>bold</b>",
               "day": "2026-11-21"}
    series = _series(server.serve("/events.xml", atom([hostile, CONCERT]),
                                  Content_Type="application/atom+xml"))
    run = _run(series, worker)
    assert run.outcome == RunOutcome.STARTED, run.reason
    body = db.session.get(Campaign, run.campaign_id).body_html
    assert "Concert" in body and "Market" in body
    assert "{{" not in body and "{%" not in body and "<script" not in body
    assert "%7B%7Bx%7D%7D" in body  # braces in a link are encoded, not merge tags
    assert len(smtp_server.messages) == 2


@pytest.mark.parametrize("path, body, status, reason", [
    ("/broken.xml", "<html><body>Not a feed at all", 200, "not an RSS or Atom feed"),
    ("/gone.xml", "gone", 410, "answers 410"),
    ("/huge.xml", rss([{**CONCERT, "summary": "x" * 3_000_000}]), 200, "larger than"),
])
def test_unreadable_feeds_skip_the_run_with_the_reason(app, worker, smtp_server, server,
                                                       path, body, status, reason):
    series = _series(server.serve(path, body, status=status))
    run = _run(series, worker)
    assert run.outcome == RunOutcome.SKIPPED and reason in run.reason
    assert smtp_server.messages == []


def test_private_addresses_are_refused_unless_the_owner_allowed_that_host(app, worker,
                                                                          server):
    url = server.serve("/news.xml", rss([SPRING]))
    refused = _run(_series(url, allow_private=False), worker)
    assert "points to a private address (127.0.0.1)" in refused.reason

    # allowed for 127.0.0.1, but a redirect from there to another private host is refused
    redirect = server.serve("/moved.xml", "", status=302,
                            Location="http://10.1.2.3/news.xml")
    moved = _run(_series(redirect), worker)
    assert "10.1.2.3 points to a private address" in moved.reason
    metadata = _run(_series(server.serve("/meta", "", status=301,
                                         Location="http://169.254.169.254/latest/")), worker)
    assert "private address" in metadata.reason


def test_a_redirect_on_the_allowed_host_is_followed(app, worker, smtp_server, server):
    server.serve("/news.xml", rss([SPRING]))
    run = _run(_series(server.serve("/old.xml", "", status=301, Location="/news.xml")), worker)
    assert run.outcome == RunOutcome.STARTED


def test_preview_shows_the_next_issue_and_remembers_nothing(app, client, login, server):
    url = server.serve("/news.xml", rss([CONCERT, SPRING]), ETag='"v1"')
    series = _series(url)
    login("editor")
    page = client.get(f"/admin/recurring/{series.id}/preview")
    assert page.status_code == 200
    assert "2 new items would go in the next issue" in page.text
    assert "Concert" in page.text and "srcdoc=" in page.text
    assert "If-None-Match" not in server.requests[-1][1]
    db.session.expire_all()
    series = db.session.get(RecurringSeries, series.id)
    assert (series.feed_etag, series.feed_seen) == (None, [])
    assert db.session.scalars(select(RecurringRun)).all() == []

    server.serve("/news.xml", "<oops>", status=200)
    assert "not an RSS or Atom feed" in client.get(
        f"/admin/recurring/{series.id}/preview").text


def test_only_an_owner_may_allow_a_private_feed_host(app, client, login):
    template = composed(list_with_contacts("a@example.com"), TEMPLATE)
    login("editor")
    data = {"name": "News", "template": str(template.id), "cron": "0 8 * * *",
            "timezone": "UTC", "feed_url": "http://intranet.local/feed.xml",
            "feed_allow_private": "y"}
    assert client.post("/admin/recurring/new", data=data).status_code == 302
    series = db.session.scalars(select(RecurringSeries)).one()
    assert series.feed_url == "http://intranet.local/feed.xml"
    assert series.feed_allow_private is False
    bad = client.post(f"/admin/recurring/{series.id}", data={**data, "feed_url": "ftp://x/"},
                      follow_redirects=True)
    assert "must start with http:// or https://" in bad.text


def test_changing_the_feed_forgets_what_was_sent(app):
    template = composed(list_with_contacts("a@example.com"), TEMPLATE)
    series = recurring.create_series(db.session, template.id, name="N", cron="0 8 * * *",
                                     timezone="UTC", now=utcnow(),
                                     feed_url="https://example.com/a.xml")
    series.feed_seen, series.feed_etag = ["n-1"], '"v1"'
    feeds.set_feed(series, "https://example.com/a.xml", False)
    assert series.feed_seen == ["n-1"]
    feeds.set_feed(series, "https://example.com/b.xml", False)
    assert (series.feed_seen, series.feed_etag) == ([], None)
