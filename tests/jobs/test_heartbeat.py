"""Workers beat a heartbeat into Redis; the status tab says when none is alive instead of
showing a campaign as running forever."""

import signal

from rq import Worker

from newsletter import queue
from newsletter.campaigns import lifecycle, progress
from newsletter.extensions import db
from newsletter.platform import health
from tests.factories import draft, list_with_contacts
from tests.processes import spawn, wait_for  # noqa: F401


def running_campaign():
    campaign = draft(list_with_contacts("a@example.com"))
    lifecycle.start_campaign(db.session, campaign.id)  # started; no worker takes it
    db.session.commit()
    return campaign


def workers(campaign) -> dict:
    db.session.expire_all()
    return progress.live_status(db.session, campaign.id)["workers"]


def test_no_worker_ever_started(client, login):
    login()
    campaign = running_campaign()
    assert workers(campaign) == {"alive": 0, "last_seen": None}
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert '<p class="warning" id="no-worker">' in page
    assert "No worker is running" in page


def test_a_live_worker_then_a_killed_one(app, client, login, spawn, monkeypatch):  # noqa: F811
    login()
    monkeypatch.setattr(health, "DEAD_AFTER_SECONDS", 8)  # beats come every 5 s
    campaign = running_campaign()
    campaign.status = "paused"  # nothing for the worker to do
    db.session.commit()
    worker = spawn("--queues", "sending")
    wait_for(lambda: health.workers(queue.get_redis(), queue.SENDING)[0] == 1, 30,
             worker.log)
    campaign.status = "running"
    db.session.commit()
    assert workers(campaign)["alive"] == 1
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert '<p class="warning" id="no-worker" hidden>' in page
    assert health.workers(queue.get_redis(), queue.TRACKING)[0] == 0  # not its queue
    worker.send_signal(signal.SIGKILL)  # no goodbye: only the missing beats tell
    worker.wait()
    wait_for(lambda: workers(campaign)["alive"] == 0, 20)
    assert workers(campaign)["last_seen"] is not None
    assert "No worker is running" in client.get(f"/admin/campaigns/{campaign.id}").text


def test_a_worker_that_stops_in_good_order_is_gone_at_once(app, spawn):  # noqa: F811
    worker = spawn()
    redis = queue.get_redis()
    wait_for(lambda: health.workers(redis, queue.SUBSCRIBER)[0] == 1, 30, worker.log)
    # RQ handles SIGTERM once it waits for jobs
    wait_for(lambda: [w.get_state() for w in Worker.all(connection=redis)] == ["idle"], 30)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    assert [health.workers(redis, kind)[0] for kind in queue.KINDS] == [0, 0, 0, 0]
