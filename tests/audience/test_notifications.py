"""Subscriber mail jobs against the real SMTP server and worker."""

from email import message_from_bytes, policy

from newsletter import jobs
from newsletter.audience import lists, profiles
from newsletter.extensions import db
from tests.public.helpers import public_list


def test_mail_queued_before_an_erasure_is_dropped(app, worker, smtp_server):
    mlist = public_list()
    contact = lists.add_contact_to_list(db.session, mlist.id, "gone@example.com")
    db.session.commit()
    jobs.enqueue_subscriber_mail("login", contact.id)
    profiles.erase(db.session, contact.id)
    db.session.commit()
    worker()
    assert smtp_server.messages == []


def test_a_permanent_refusal_does_not_fail_the_job(app, worker, smtp_server):
    mlist = public_list()
    contact = lists.add_contact_to_list(db.session, mlist.id, "full@example.com")
    db.session.commit()
    smtp_server.handler.rcpt_replies["full@example.com"] = "550 mailbox unavailable"
    jobs.enqueue_subscriber_mail("login", contact.id)
    worker()  # fails the test if the job failed
    assert smtp_server.messages == []


def test_messages_are_marked_automatic_and_in_the_contact_language(app, worker, smtp_server):
    mlist = public_list()
    contact = lists.add_contact_to_list(db.session, mlist.id, "cz@example.com")
    contact.language = "cs"
    db.session.commit()
    jobs.enqueue_subscriber_mail("erasure", contact.id)
    worker()
    [received] = smtp_server.messages
    mail = message_from_bytes(received.data, policy=policy.default)
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Content-Language"] == "cs"
    assert mail["Subject"] == "Potvrďte výmaz vašich údajů"
