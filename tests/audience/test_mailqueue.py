"""Subscriber mail waits in one Redis list and a draining job sends it over one connection."""

from email import message_from_bytes, policy

import pytest

from newsletter import jobs, queue
from newsletter.audience import lists, mailqueue
from newsletter.channels.base import TemporaryFailure
from newsletter.channels.smtp import SMTPMessenger, smtp_settings
from newsletter.extensions import db
from tests.public.helpers import public_list


def contacts(n: int) -> list[int]:
    mlist = public_list()
    ids = [lists.add_contact_to_list(db.session, mlist.id, f"s{i:03}@example.com").id
           for i in range(n)]
    db.session.commit()
    return ids


def messenger(app) -> SMTPMessenger:
    return SMTPMessenger(smtp_settings(app.config))


def test_a_burst_of_mail_is_one_job_and_one_connection(app, worker, smtp_server):
    for contact_id in contacts(30):
        jobs.enqueue_subscriber_mail("login", contact_id)
    assert [job.func_name for job in queue.get_queue(queue.SUBSCRIBER).jobs] == \
        ["newsletter.jobs.send_subscriber_mail"]
    worker()
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == \
        [f"s{i:03}@example.com" for i in range(30)]
    assert smtp_server.handler.greetings == 1
    assert mailqueue.waiting(queue.get_redis()) == 0
    # the gate is open again: the next mail brings the next job
    jobs.enqueue_subscriber_mail("erasure", contacts(1)[0])
    assert len(queue.get_queue(queue.SUBSCRIBER)) == 1
    worker()
    subject = message_from_bytes(smtp_server.messages[-1].data, policy=policy.default)["Subject"]
    assert subject == "Confirm the deletion of your data"


def test_mail_stays_queued_while_the_server_is_unreachable(app, smtp_server):
    redis = queue.get_redis()
    for contact_id in contacts(3):
        jobs.enqueue_subscriber_mail("login", contact_id)
    smtp_server.go_down()
    try:
        with pytest.raises(TemporaryFailure):
            mailqueue.drain(db.session, redis, messenger(app))
    finally:
        smtp_server.come_up()
    assert mailqueue.waiting(redis) == 3 and smtp_server.messages == []
    up = messenger(app)
    assert mailqueue.drain(db.session, redis, up) == 3
    up.close()
    assert len(smtp_server.messages) == 3


def test_a_spent_budget_hands_over_to_a_fresh_job(app, smtp_server):
    redis = queue.get_redis()
    for contact_id in contacts(2):
        jobs.enqueue_subscriber_mail("login", contact_id)
    queue.get_queue(queue.SUBSCRIBER).empty()
    assert mailqueue.drain(db.session, redis, messenger(app), budget=-1) == 0
    assert mailqueue.waiting(redis) == 2
    assert len(queue.get_queue(queue.SUBSCRIBER)) == 1


def test_an_unknown_kind_is_refused_and_a_broken_entry_dropped(app, worker, smtp_server):
    with pytest.raises(ValueError, match="not a subscriber mail"):
        jobs.enqueue_subscriber_mail("newsletter", 1)
    queue.get_redis().rpush(mailqueue.MAIL_KEY, b"not json")
    jobs.enqueue_subscriber_mail("login", contacts(1)[0])
    worker()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["s000@example.com"]]
