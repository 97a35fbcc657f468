"""The status tab in Chromium: its notices follow the live status (no worker alive, waiting
for the mail server) without a reload."""

import pytest
from playwright.sync_api import expect

from newsletter import queue
from newsletter.campaigns import lifecycle
from newsletter.channels.smtp import mail_server_circuit
from newsletter.extensions import db
from newsletter.platform import health
from tests.conftest import PASSWORD
from tests.factories import draft, list_with_contacts

pytestmark = pytest.mark.browser


def open_campaign(page, live_server, campaign_id: int) -> None:
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("editor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/admin/campaigns/{campaign_id}")


def test_the_notices_follow_the_live_status(app, page, live_server, make_user):
    make_user("editor@example.com", "editor")
    campaign = draft(list_with_contacts("a@example.com"))
    lifecycle.start_campaign(db.session, campaign.id)  # running; no worker yet
    db.session.commit()
    open_campaign(page, live_server, campaign.id)
    no_worker, waiting = page.locator("#no-worker"), page.locator("#mail-server-wait")
    expect(no_worker).to_be_visible()
    assert "No worker is running: nothing is sent until one starts" in no_worker.inner_text()
    expect(waiting).to_be_hidden()

    redis = queue.get_redis()
    health.beat(redis, "some-worker", [queue.SENDING])
    circuit = mail_server_circuit(app.config, redis)
    circuit.failed("cannot connect to plain SMTP mail.example:25: Connection refused")
    expect(no_worker).to_be_hidden()
    expect(waiting).to_be_visible()
    expect(waiting).to_contain_text("Connection refused")
    since = circuit.outage().since.strftime("%H:%M")
    expect(waiting).to_contain_text(f"Waiting for the mail server since {since} UTC")

    circuit.succeeded()
    health.retire(redis, "some-worker", [queue.SENDING])
    expect(waiting).to_be_hidden()
    expect(no_worker).to_be_visible()
    expect(no_worker).to_contain_text("one was last seen at")


def test_pause_and_cancel_go_when_the_campaign_finishes(app, page, live_server, make_user,
                                                        worker, smtp_server):
    make_user("editor@example.com", "editor")
    campaign = draft(list_with_contacts("a@example.com"))
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    open_campaign(page, live_server, campaign.id)
    pause = page.get_by_role("button", name="Pause")
    cancel = page.get_by_role("link", name="Cancel sending…")
    expect(pause).to_be_visible()
    expect(cancel).to_be_visible()
    expect(page.get_by_role("button", name="Resume")).to_be_hidden()

    from newsletter import jobs
    jobs.enqueue_send(campaign.id)
    worker()
    expect(page.locator("#campaign-status")).to_have_text("finished", timeout=15_000)
    expect(pause).to_be_hidden()
    expect(cancel).to_be_hidden()
