"""Statistics of a sent campaign: counts, clicks per link, timeline, CSV, dashboard."""

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import select, update

from newsletter.extensions import db
from newsletter.models import (
    AuditEntry,
    Delivery,
    DeliveryState,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from newsletter.tracking import statistics
from tests.tracking.helpers import html_links, path_of, received, send


def test_stats_page_counts_everything_a_user_asks_about(client, login, worker, smtp_server):
    login()
    campaign = send("a@example.com", "b@example.com", "c@example.com", worker=worker)
    links = [u for u in html_links(received(smtp_server, "a@example.com")) if "/c/" in u]
    client.get(path_of(links[0]))
    client.get(path_of(links[0]))
    client.get(path_of(links[1]))
    b_links = [u for u in html_links(received(smtp_server, "b@example.com")) if "/c/" in u]
    client.get(path_of(b_links[0]))
    worker()
    db.session.execute(update(Delivery).where(Delivery.address == "c@example.com")
                       .values(state=DeliveryState.BOUNCED))
    sub = db.session.scalar(select(Subscription).join(Delivery, Delivery.contact_id
                                                      == Subscription.contact_id)
                            .where(Delivery.address == "b@example.com"))
    sub.status, sub.unsubscribed_at = SubscriptionStatus.UNSUBSCRIBED, utcnow()
    db.session.commit()

    page = client.get(f"/admin/campaigns/{campaign.id}/stats").text
    for stat, value in (("recipients", 3), ("sent", 3), ("delivered", 2), ("bounced", 1),
                        ("unsubscribed", 1), ("unique_clicks", 2), ("clicks", 4)):
        assert f'data-stat="{stat}">{value}<' in page, stat
    assert "https://shop.example/sale?a=1&amp;b=2</td><td>3</td><td>2</td>" in page
    assert "<svg" in page and "4 in all" in page

    exported = client.get(f"/admin/campaigns/{campaign.id}/stats.csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert ["delivered", "2"] in rows and ["https://blog.example/", "1", "1"] in rows

    dashboard = client.get("/admin/stats").text
    assert "Composed" in dashboard and "100.0 %" in dashboard  # 2 unique of 2 delivered
    assert "Statistics" in client.get(f"/admin/campaigns/{campaign.id}").text


def test_who_clicked_is_listed_and_exported_with_an_audit_entry(client, login, worker,
                                                                 smtp_server):
    login()
    campaign = send("a@example.com", "b@example.com", "c@example.com", worker=worker)
    a_links = [u for u in html_links(received(smtp_server, "a@example.com")) if "/c/" in u]
    b_links = [u for u in html_links(received(smtp_server, "b@example.com")) if "/c/" in u]
    client.get(path_of(b_links[0]))
    client.get(path_of(a_links[0]))
    client.get(path_of(a_links[1]))
    worker()
    page = client.get(f"/admin/campaigns/{campaign.id}/stats").text
    table = page.split('<table id="clickers">')[1].split("</table>")[0]
    assert table.index("b@example.com") < table.index("a@example.com")  # first click first
    assert "c@example.com" not in table
    assert client.get(f"/admin/campaigns/{campaign.id}/stats/clickers.csv").status_code \
        == 405  # personal data: never on a GET a link previewer could fetch
    exported = client.post(f"/admin/campaigns/{campaign.id}/stats/clickers.csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["address"], r["clicks"]) for r in rows] == [("b@example.com", "1"),
                                                           ("a@example.com", "2")]
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "export.clickers" and "2 rows" in entry.detail


def test_timeline_buckets_clicks_by_a_readable_step():
    start = datetime(2026, 5, 1, 9, 0)
    times = [start, start + timedelta(minutes=5), start + timedelta(hours=10)]
    step, points = statistics.timeline(times)
    assert step == timedelta(hours=1)
    assert points[0] == (start, 2) and points[-1] == (start + timedelta(hours=10), 1)
    assert sum(c for _, c in points) == 3
    assert "No clicks yet" in statistics.timeline_svg([])


def test_the_chart_has_a_text_alternative_with_every_bar():
    start = datetime(2026, 5, 1, 9, 0)
    svg = statistics.timeline_svg([start, start + timedelta(minutes=5),
                                   start + timedelta(hours=10)])
    label = svg.split('aria-label="', 1)[1].split('"', 1)[0]
    assert label == ("Clicks over time, 3 in all, per hour: 2026-05-01 09:00: 2; "
                     "2026-05-01 19:00: 1.")
    assert 'role="img"' in statistics.timeline_svg([])
    assert 'aria-label="Clicks over time: no clicks yet."' in statistics.timeline_svg([])
