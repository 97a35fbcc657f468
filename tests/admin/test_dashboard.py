"""The morning dashboard: what is sending and scheduled with progress, the last campaigns'
rates, list growth per day (chart and table) and bounces and complaints."""

from datetime import datetime, timedelta

from newsletter.audience.suppression import Reason, suppress
from newsletter.extensions import db
from newsletter.models import Delivery, DeliveryState, Subscription, utcnow
from newsletter.tracking import overview
from tests import factories
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start


def test_list_growth_counts_joins_leaves_and_the_running_total(app):
    mlist = list_with_contacts("old@example.com", "new@example.com", "gone@example.com")
    today = utcnow().date()
    old, new, gone = db.session.query(Subscription).order_by(Subscription.id).all()
    old.confirmed_at = datetime.combine(today - timedelta(days=40), datetime.min.time())
    new.confirmed_at = datetime.combine(today - timedelta(days=2), datetime.min.time())
    gone.confirmed_at = datetime.combine(today - timedelta(days=50), datetime.min.time())
    gone.status, gone.unsubscribed_at = "unsubscribed", new.confirmed_at + timedelta(hours=3)
    db.session.commit()
    growth = overview.list_growth(db.session, days=30, today=today)
    assert len(growth) == 30 and growth[-1].day == today
    assert growth[0].subscribers == 2  # old and gone, before the window
    two_days_ago = growth[-3]
    assert (two_days_ago.joined, two_days_ago.left, two_days_ago.subscribers) == (1, 1, 2)
    assert growth[-1].subscribers == 2 and sum(g.joined for g in growth) == 1
    assert mlist.id


def test_dashboard_shows_progress_rates_growth_bounces_and_complaints(
        client, login, worker):
    login()
    mlist = list_with_contacts("a@example.com", "b@example.com", "c@example.com",
                               "d@example.com")
    sent = factories.tested(draft(mlist, subject="May news"))
    start(sent)
    worker()
    bounced = db.session.query(Delivery).filter_by(address="d@example.com").one()
    bounced.state = DeliveryState.BOUNCED
    suppress(db.session, "spam@example.com", Reason.COMPLAINT)
    scheduled = draft(mlist, subject="June news")
    scheduled.name = "June issue"
    scheduled.status, scheduled.send_at = "scheduled", datetime(2099, 6, 1, 7)
    running = draft(mlist, subject="Flash sale")
    running.name = "Flash sale"
    db.session.commit()
    start(factories.tested(running))  # started, the worker has not sent yet: 0 %

    page = client.get("/admin/").text
    assert "<h1>Dashboard</h1>" in page
    active = page[page.index('id="active-table"'):page.index('id="recent-heading"')]
    assert "June issue" in active and "2099-06-01 07:00 UTC" in active
    assert "Flash sale" in active and "0 of 4 (0.0 %)" in active
    recent = page[page.index('id="recent-table"'):page.index('id="growth-heading"')]
    # 4 sent, 1 bounced: 75 % delivered, 25 % bounced
    assert '<td class="num">4</td>' in recent and "75.0 %" in recent and "25.0 %" in recent
    assert 'id="growth-table"' in page and "4 confirmed e-mail subscriptions today" in page
    assert '<dd id="bounces">1</dd>' in page and '<dd id="complaints">1</dd>' in page
    assert "vendor/uplot/uPlot.iife.min.js" in page
