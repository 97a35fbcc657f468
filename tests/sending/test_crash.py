"""Real forked `newsletter worker` processes killed mid-campaign: nobody is lost, and
nobody gets more than the one message that was in flight."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import psutil
import pytest
from sqlalchemy import func, select

from newsletter import jobs, queue
from newsletter.extensions import db
from newsletter.models import Delivery
from tests.factories import draft, list_with_contacts
from tests.processes import gone, kill_tree

M = 40
LEASE = 5  # seconds; short, so a dead worker's claims come back quickly


@pytest.fixture
def spawn(app, tmp_path):
    procs = []

    def start(*args):
        env = {**os.environ,
               "DATABASE_URL": app.config["DATABASE_URL"], "REDIS_URL": app.config["REDIS_URL"],
               "SMTP_URL": app.config["SMTP_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
               "NEWSLETTER_INSTANCE_PATH": str(tmp_path),
               "NEWSLETTER_SEND_LEASE_SECONDS": str(LEASE), "NEWSLETTER_SEND_BATCH_SIZE": "5"}
        log = open(tmp_path / f"worker{len(procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "newsletter", "worker", *args], env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def begin(smtp_server, delay=0.03):
    smtp_server.handler.delay = delay
    campaign = draft(list_with_contacts(*[f"r{i:02}@example.com" for i in range(M)]))
    from newsletter.campaigns import lifecycle
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    begin.campaign_id = campaign.id
    return campaign


def received(smtp_server) -> Counter:
    return Counter(m.rcpt_tos[0] for m in smtp_server.messages)


def sent_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(Delivery.state == "sent"))


def finish_with_fresh_worker(spawn, campaign, smtp_server):
    time.sleep(LEASE + 0.1)  # the dead worker's lease runs out
    jobs.reap()
    spawn("--burst").wait(120)
    assert len(received(smtp_server)) == M  # everybody got it
    assert sent_rows() == M


def test_sigkill_of_the_whole_worker(app, spawn, smtp_server):
    campaign = begin(smtp_server)
    worker = spawn()
    wait_for(lambda: len(smtp_server.messages) >= 10)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    finish_with_fresh_worker(spawn, campaign, smtp_server)
    duplicates = sum(n - 1 for n in received(smtp_server).values())
    assert duplicates <= 1  # at most the message in flight


def test_sigkill_of_the_work_horse_only(app, spawn, smtp_server):
    begin(smtp_server)
    worker = spawn()
    wait_for(lambda: len(smtp_server.messages) >= 10)

    def claimer():
        db.session.expire_all()
        return db.session.scalar(select(Delivery.claimed_by).where(
            Delivery.state == "sending").limit(1))

    seen = []
    wait_for(lambda: seen.append(claimer()) or seen[-1])
    horse = int(seen[-1].rsplit(":", 1)[1])
    assert horse != worker.pid
    os.kill(horse, signal.SIGKILL)
    # the worker survives; RQ's Retry brings the job back and the lease lets it reclaim
    wait_for(lambda: sent_rows() == M, timeout=90)
    assert worker.poll() is None
    duplicates = sum(n - 1 for n in received(smtp_server).values())
    assert len(received(smtp_server)) == M and duplicates <= 1


def test_sigterm_loses_and_duplicates_nothing(app, spawn, smtp_server):
    begin(smtp_server)
    worker = spawn()
    wait_for(lambda: len(smtp_server.messages) >= 10)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Delivery.state == "sending")) == 0
    assert sent_rows() == len(smtp_server.messages) < M  # every send recorded, none in doubt
    spawn("--burst").wait(120)
    counts = received(smtp_server)
    assert len(counts) == M and set(counts.values()) == {1}


def test_two_workers_and_a_double_enqueue_send_exactly_once(app, spawn, smtp_server):
    campaign = begin(smtp_server, delay=0.01)
    jobs.enqueue_send(campaign.id)  # the double enqueue
    workers = [spawn("--burst"), spawn("--burst")]
    for worker in workers:
        assert worker.wait(120) == 0
    counts = received(smtp_server)
    assert len(counts) == M and set(counts.values()) == {1}
    assert sent_rows() == M


def test_sigkill_of_the_main_process_takes_its_horse_and_scheduler_down(app, spawn,
                                                                      smtp_server):
    """The horse stops after the message in flight (recorded, its other claims handed back)
    and the scheduler stops (its lock released): no orphans keep sending or scheduling."""
    begin(smtp_server, delay=0.05)
    worker = spawn()
    wait_for(lambda: len(smtp_server.messages) >= 5)
    children = psutil.Process(worker.pid).children()
    try:
        assert len(children) == 2  # the scheduler and the horse
        os.kill(worker.pid, signal.SIGKILL)  # the main process only
        worker.wait()
        for child in children:
            wait_for(lambda child=child: gone(child.pid))  # a busy machine may take a while
        stopped_at = len(smtp_server.messages)
        time.sleep(0.5)
        assert len(smtp_server.messages) == stopped_at < M  # nobody sends any more
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).where(Delivery.state == "sending")) == 0
        assert sent_rows() == stopped_at  # the message in flight was recorded
        assert not queue.get_redis().exists("rq:scheduler-lock:newsletter-sending")
    finally:
        for child in children:
            kill_tree(child.pid)
    jobs.enqueue_send(begin.campaign_id)
    spawn("--burst").wait(120)
    counts = received(smtp_server)
    assert len(counts) == M and set(counts.values()) == {1}
