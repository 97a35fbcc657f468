"""A job enqueued after a commit while Redis is down is not lost: the transactional
message (or webhook delivery, or started campaign) stays in the database, and the reaper
enqueues what has no job, once; the real worker then sends it exactly once."""

import pytest
from sqlalchemy import select

from newsletter import jobs
from newsletter.campaigns import progress
from newsletter.compliance import start as checked
from newsletter.extensions import db
from newsletter.models import TransactionalMessage
from newsletter.transactional import requests
from tests.factories import draft, list_with_contacts, redis_down
from tests.public.helpers import mails_to


@pytest.fixture
def app_config(app_config):
    app_config["OUTBOX_GRACE_SECONDS"] = 0
    return app_config


def test_a_transactional_message_whose_enqueue_failed_is_sent_once(app, worker,
                                                                    smtp_server):
    template = draft(list_with_contacts(name="Orders"), subject="Order {{ order_id }}")
    message = requests.request_message(db.session, template.id, "ana@example.com",
                                       {"order_id": "7"}, None, None, "http://x.test")
    with redis_down(app):
        db.session.commit()  # the enqueue after the commit fails; the commit stands
    message_id = message.id
    worker()
    assert smtp_server.messages == []
    jobs.reap()
    worker()
    jobs.reap()  # the job is there (and done): nothing enqueued again
    worker()
    [received] = mails_to(smtp_server, "ana@example.com")
    assert received["Subject"] == "Order 7"
    assert db.session.scalar(select(TransactionalMessage.state).where(
        TransactionalMessage.id == message_id)) == "sent"


def test_a_message_with_its_job_is_not_enqueued_again(app, worker, smtp_server):
    template = draft(list_with_contacts(name="Orders"))
    requests.request_message(db.session, template.id, "bo@example.com", {}, None, None,
                             "http://x.test")
    db.session.commit()
    assert jobs.enqueue_stranded() == ([], [])  # queued, with its mark
    worker()
    assert len(mails_to(smtp_server, "bo@example.com")) == 1


def test_a_campaign_started_while_redis_was_down_is_sent_by_the_reaper(app, worker,
                                                                        smtp_server):
    campaign = draft(list_with_contacts("a@example.com", "b@example.com"))
    checked.start(db.session, campaign.id, confirmed=True)
    db.session.commit()
    with redis_down(app):  # the start's commit stands; its request is not failed
        assert jobs.send_after_commit(campaign.id) is False
    worker()
    assert smtp_server.messages == []
    assert campaign.id in jobs.reap()
    worker()
    assert len(mails_to(smtp_server, "a@example.com")) == 1
    assert progress.live_status(db.session, campaign.id)["sent"] == 2
