"""Reruns with real worker processes and RQ's scheduler: a deferred delivery is retried when
it falls due (not up to a minute later, by the reaper), whatever the server's time zone; a
campaign whose every job and worker was killed is recovered by the reaper alone."""

from collections import Counter

import psutil
from sqlalchemy import func, select

from newsletter import jobs
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from newsletter.models import Campaign, Delivery
from tests.factories import draft, list_with_contacts
from tests.processes import kill_tree, spawn, wait_for  # noqa: F401


def start(*emails, name="Weekly"):
    campaign = draft(list_with_contacts(*emails, name=name))
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    return campaign


def status(campaign_id) -> str:
    db.session.expire_all()
    return db.session.get(Campaign, campaign_id).status


def test_deferred_deliveries_are_retried_when_they_fall_due(app, spawn, smtp_server):  # noqa: F811
    smtp_server.handler.rcpt_replies["busy@example.com"] = "451 4.3.0 Try later"
    campaign = start("busy@example.com", "ok@example.com")
    # a zone west of UTC: a naive UTC time read as local time would run hours late
    worker = spawn(TZ="America/New_York", NEWSLETTER_SEND_RETRY_BASE_SECONDS=1,
                   NEWSLETTER_SEND_MAX_ATTEMPTS=4)
    wait_for(lambda: status(campaign.id) == "finished", 40, worker.log)
    tries = [at for address, at in smtp_server.handler.rcpt_log
             if address == "busy@example.com"]
    assert len(tries) == 4
    waits = [later - earlier for earlier, later in zip(tries, tries[1:], strict=False)]
    for wait, backoff in zip(waits, (1, 2, 4), strict=True):
        # never before the delivery is due, and at most RQ's whole second plus the
        # scheduler's one-second round later
        assert backoff <= wait < backoff + 2.5, waits
    db.session.expire_all()
    assert db.session.scalar(select(Delivery.state).where(
        Delivery.address == "busy@example.com")) == "failed"


def test_the_reaper_alone_recovers_a_campaign_whose_jobs_and_workers_were_killed(
        app, spawn, smtp_server):  # noqa: F811
    smtp_server.handler.delay = 0.05
    emails = [f"r{i:02}@example.com" for i in range(40)]
    app.config["SEND_PARALLEL_JOBS"] = 1
    campaign = start(*emails)
    settings = {"NEWSLETTER_SEND_PARALLEL_JOBS": 1, "NEWSLETTER_REAPER_SECONDS": 2,
                "NEWSLETTER_SEND_LEASE_SECONDS": 4, "NEWSLETTER_SEND_BATCH_SIZE": 5}
    first = spawn(**settings)
    wait_for(lambda: len(smtp_server.messages) >= 10, 30, first.log)
    processes = [first.pid, *(p.pid for p in psutil.Process(first.pid).children())]
    assert len(processes) == 3  # the worker, its scheduler and the horse
    for pid in processes:  # all at once, as the OOM killer or a lost host would
        kill_tree(pid)
    first.wait()
    stopped_at = len(smtp_server.messages)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Delivery.state == "sending")) > 0
    # no test hand: the new worker's scheduler, the reaper and the leases do it all
    second = spawn(**settings)
    wait_for(lambda: status(campaign.id) == "finished", 60, second.log)
    assert len(smtp_server.messages) > stopped_at
    counts = Counter(m.rcpt_tos[0] for m in smtp_server.messages)
    assert sorted(counts) == emails
    assert sum(counts.values()) - len(emails) <= 1  # at most the message in flight
