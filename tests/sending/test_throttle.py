"""The shared limits hold across workers because they live in Redis, not in a process."""

import dataclasses
import time

import redis
from sqlalchemy import select

from newsletter import queue
from newsletter.channels.smtp import SMTPMessenger, smtp_settings
from newsletter.extensions import db
from newsletter.models import Delivery, SenderIdentity
from newsletter.sending import engine
from newsletter.sending.throttle import ConnectionSlots, Rate, RateLimiter
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start


def second_connection(app) -> redis.Redis:
    """Another worker's own connection to the same Redis."""
    return redis.Redis.from_url(app.config["REDIS_URL"])


def test_rate_is_shared_between_two_workers(app):
    a, b = RateLimiter(queue.get_redis()), RateLimiter(second_connection(app))
    rate = Rate(5, "second")  # one message every 200 ms
    assert a.acquire("sender:1", rate) == 0
    wait = b.acquire("sender:1", rate)
    assert 0.1 < wait <= 0.2
    assert a.acquire("sender:2", rate) == 0  # other senders are not affected


def test_hourly_rate_spacing(app):
    limiter = RateLimiter(queue.get_redis())
    rate = Rate(100, "hour")  # the OBERON minimum: one message every 36 s
    assert limiter.acquire("s", rate) == 0
    assert 35 < limiter.acquire("s", rate) <= 36


def test_a_fast_rate_holds_when_the_wait_is_under_a_millisecond(app):
    limiter = RateLimiter(queue.get_redis())
    rate = Rate(5000, "second")  # one slot every 0.2 ms: most waits are below 1 ms
    granted, started = 0, time.monotonic()
    while time.monotonic() - started < 0.5:
        granted += limiter.acquire("fast", rate) == 0
    assert granted <= rate.per_second() * (time.monotonic() - started) + 1


def test_reservations_of_two_workers_hold_the_rate(app):
    a, b = RateLimiter(queue.get_redis()), RateLimiter(second_connection(app))
    rate = Rate(1000, "second")
    granted, started = 0, time.monotonic()
    while time.monotonic() - started < 0.5:  # two workers, 100 slots per reservation
        granted += 100 * sum(w.acquire("s", rate, 100, burst=100) == 0 for w in (a, b))
    assert granted <= rate.per_second() * (time.monotonic() - started) + 2 * 100


def test_connection_slots_cap_concurrent_connections(app):
    one = ConnectionSlots(queue.get_redis(), "mx:25", limit=1)
    other = ConnectionSlots(second_connection(app), "mx:25", limit=1)
    assert one.acquire("worker-a")
    assert one.acquire("worker-a")  # refreshing its own slot
    assert not other.acquire("worker-b")
    one.release("worker-a")
    assert other.acquire("worker-b")
    other.back_off(30)
    assert 29 < one.backoff_remaining() <= 30


def policy(app):
    return engine.SendPolicy.from_config(app.config)


def test_engine_spaces_messages_at_the_sender_rate(app, smtp_server):
    identity = SenderIdentity(name="n", from_name="N", from_email="n@acme.test",
                              rate_limit=4, rate_period="second")
    db.session.add(identity)
    db.session.commit()
    campaign = draft(list_with_contacts(*[f"r{i}@example.com" for i in range(4)]),
                     sender_id=identity.id)
    start(campaign)
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        import time
        time.sleep(seconds)

    shared = engine.Shared(limiter=RateLimiter(queue.get_redis()), sleep=sleep)
    result = engine.run_campaign(db.session, campaign.id,
                                  SMTPMessenger(smtp_settings(app.config)), policy(app),
                                  shared)
    assert result.sent == 4 and result.finished
    # 4 a second: from the second message (the first also waits for the connection) to the
    # fourth at least 0.5 s, however fast or slow the machine is (a slow one waits less)
    times = [t for _, t in smtp_server.handler.rcpt_log]
    assert len(times) == 4 and times[3] - times[1] >= 0.5 - 0.1
    assert all(0 < s <= 0.25 for s in slept)


def test_a_job_whose_start_outlasts_its_slice_still_sends(app, smtp_server):
    """A loaded machine: the slice is spent before the first message; the job still sends
    one before it hands over, so the campaign moves on."""
    campaign = draft(list_with_contacts(*[f"r{i}@example.com" for i in range(3)]))
    start(campaign)
    slow = dataclasses.replace(policy(app), job_budget_seconds=-1)
    result = engine.run_campaign(db.session, campaign.id,
                                 SMTPMessenger(smtp_settings(app.config)), slow,
                                 engine.Shared())
    assert result.sent == 1 and result.handover and not result.finished


def test_a_long_wait_hands_the_claims_back_and_reschedules(app, smtp_server):
    identity = SenderIdentity(name="n", from_name="N", from_email="n@acme.test",
                              rate_limit=100, rate_period="hour")
    db.session.add(identity)
    db.session.commit()
    campaign = draft(list_with_contacts("a@example.com", "b@example.com"),
                     sender_id=identity.id)
    start(campaign)
    shared = engine.Shared(limiter=RateLimiter(queue.get_redis()))
    result = engine.run_campaign(db.session, campaign.id,
                                  SMTPMessenger(smtp_settings(app.config)), policy(app),
                                  shared)
    assert result.sent == 1 and len(smtp_server.messages) == 1
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Delivery.state))) == ["queued", "sent"]
    from newsletter.models import utcnow
    assert 35 < (result.next_run_at - utcnow()).total_seconds() <= 36


def test_per_domain_limit_defers_without_using_an_attempt(app, smtp_server):
    app.config["DOMAIN_RATE_PER_MINUTE"] = 1
    campaign = draft(list_with_contacts("a@slow.example", "b@slow.example", "c@fast.example"))
    start(campaign)
    shared = engine.Shared(limiter=RateLimiter(queue.get_redis()))
    engine.run_campaign(db.session, campaign.id, SMTPMessenger(smtp_settings(app.config)),
                         policy(app), shared)
    db.session.expire_all()
    rows = {d.address: d for d in db.session.scalars(select(Delivery))}
    assert rows["c@fast.example"].state == "sent"
    slow = [rows["a@slow.example"], rows["b@slow.example"]]
    assert sorted(d.state for d in slow) == ["deferred", "sent"]
    assert [d.attempts for d in slow if d.state == "deferred"] == [0]
