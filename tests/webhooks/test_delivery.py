"""Webhook deliveries end to end: written with the change (an outbox), POSTed by the real
RQ worker to a real local receiver that checks the signature, retried with RQ's Retry,
logged per attempt, paused (and the owners told) when an endpoint keeps failing."""

import time

from sqlalchemy import func, select

from newsletter import queue
from newsletter.audience import lists, subscriptions
from newsletter.extensions import db
from newsletter.models import WebhookAttempt, WebhookDelivery
from newsletter.webhooks import outbox, signing

from .conftest import endpoint_row, events_received

EVIDENCE = subscriptions.Evidence(ip="192.0.2.1", user_agent="test", source="form")


def _signup(email="ana@example.com", optin="single"):
    mlist = lists.create_list(db.session, "News", optin=optin)
    result = subscriptions.signup(db.session, mlist, email, text_version="v1",
                                  evidence=EVIDENCE)
    db.session.commit()
    return mlist, result


def test_a_signup_reaches_the_receiver_signed(endpoint, receiver, worker):
    hook = endpoint()
    _signup()
    assert len(receiver.requests) == 0  # sent by the worker, not in the request
    worker()
    [got] = receiver.requests
    assert got.signed
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Newsletter-Event"] == "subscribed"
    document = got.document
    assert document["event"] == "subscribed" and document["id"].startswith("evt_")
    assert document["data"]["email"] == "ana@example.com"
    assert document["data"]["list_name"] == "News"
    assert document["data"]["status"] == "confirmed"
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.endpoint_id, delivery.state, delivery.attempts) == (hook.id, "delivered", 1)
    assert got.headers["Newsletter-Delivery"] == str(delivery.id)
    [attempt] = db.session.scalars(select(WebhookAttempt)).all()
    assert (attempt.status_code, attempt.response, attempt.error) == (200, "thanks", "")


def test_the_signature_covers_the_time_and_the_body(endpoint, receiver, worker):
    endpoint()
    _signup()
    worker()
    [got] = receiver.requests
    value = got.headers[signing.HEADER]
    assert not signing.verify(receiver.secret, value, got.body + b" ", time.time())
    assert not signing.verify("whsec_other", value, got.body, time.time())
    assert not signing.verify(receiver.secret, value, got.body, time.time() + 3600)  # replay
    timestamp = int(value.split(",")[0][2:])
    forged = f"t={timestamp + 1},{value.split(',')[1]}"
    assert not signing.verify(receiver.secret, forged, got.body, time.time())


def test_a_double_opt_in_signup_then_confirmation(endpoint, receiver, worker):
    endpoint(events=["subscribed", "confirmed"])
    _, result = _signup(optin="double")
    worker()
    token = subscriptions.confirmation_token(result.subscription_id, "v1")
    subscriptions.confirm(db.session, token, EVIDENCE)
    db.session.commit()
    worker()
    assert events_received(receiver) == ["subscribed", "confirmed"]
    assert [r.document["data"]["status"] for r in receiver.requests] == ["pending", "confirmed"]


def test_only_subscribed_events_and_nothing_for_a_rolled_back_change(endpoint, receiver,
                                                                    worker):
    endpoint(events=["unsubscribed"])
    _signup()
    mlist = lists.create_list(db.session, "Other", optin="single")
    subscriptions.signup(db.session, mlist, "bob@example.com", text_version="v1",
                         evidence=EVIDENCE)
    db.session.rollback()
    worker()
    assert receiver.requests == []
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    assert len(queue.get_queue(queue.TRACKING)) == 0


def test_an_unsubscribe_is_reported(endpoint, receiver, worker, client):
    endpoint(events=["unsubscribed"])
    mlist, result = _signup()
    sub = db.session.get(subscriptions.Subscription, result.subscription_id)
    token = subscriptions.unsubscribe_url(sub.contact_id, list_id=mlist.id).rsplit("/", 1)[1]
    assert client.post(f"/u/{token}").status_code in (200, 303, 302)
    worker()
    [got] = receiver.requests
    assert got.document["event"] == "unsubscribed"
    assert got.document["data"]["email"] == "ana@example.com"
    assert got.document["data"]["status"] == "unsubscribed"


def test_a_failed_attempt_is_retried_with_the_same_body(endpoint, receiver, worker):
    endpoint()
    receiver.answers = [(503, "busy, later", {})]
    _signup()
    worker()
    first, second = receiver.requests
    assert first.body == second.body and first.signed and second.signed
    assert first.headers["Newsletter-Delivery"] == second.headers["Newsletter-Delivery"]
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    attempts = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
    assert [(a.status_code, a.response) for a in attempts] == [(503, "busy, later"),
                                                                (200, "thanks")]
    assert "answered 503" in attempts[0].error and attempts[1].error == ""


def test_after_the_last_retry_the_delivery_fails(endpoint, receiver, worker):
    endpoint()
    receiver.answers = [(500, "boom", {})] * 3
    _signup()
    worker()
    assert len(receiver.requests) == 3  # the first attempt and two retries
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.state, delivery.attempts) == ("failed", 3)


def test_redirects_are_not_followed(endpoint, receiver, worker):
    endpoint()
    receiver.answers = [(302, "", {"Location": receiver.url + "/elsewhere"})] * 3
    _signup()
    worker()
    assert [r.path for r in receiver.requests] == ["/hooks"] * 3
    attempt = db.session.scalar(select(WebhookAttempt))
    assert attempt.status_code == 302 and "redirects are not followed" in attempt.error


def test_private_addresses_are_refused_by_default(app, endpoint, receiver, worker):
    hook = endpoint()  # made while the test setting allowed it
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False  # the production rule
    _signup()
    worker()
    assert receiver.requests == []
    attempt = db.session.scalar(select(WebhookAttempt))
    assert attempt.status_code is None and "private address" in attempt.error
    assert endpoint_row(hook.id).consecutive_failures == 3


def test_an_endpoint_that_keeps_failing_is_paused_and_the_owners_told(
        app, endpoint, receiver, worker, smtp_server, make_user):
    app.config["WEBHOOK_PAUSE_AFTER"] = 2
    make_user("owner@example.com", "owner")
    make_user("editor@example.com", "editor")
    hook = endpoint()
    receiver.answers = [(500, "down", {})] * 5
    _signup()
    worker()
    assert len(receiver.requests) == 2  # paused at the second failure: no third attempt
    row = endpoint_row(hook.id)
    assert row.paused_at is not None and row.paused_reason == "Failed deliveries in a row: 2."
    [mail] = [m for m in smtp_server.messages]
    assert mail.rcpt_tos == ["owner@example.com"]
    assert b"Webhook paused: CRM" in mail.data

    # events go on being written while it is paused, and wait
    _signup("bob@example.com")
    worker()
    assert len(receiver.requests) == 2
    assert db.session.scalars(select(WebhookDelivery.state)).all() == ["pending", "pending"]

    receiver.answers = []
    from newsletter.webhooks import endpoints
    assert endpoints.resume(db.session, hook.id) == 2
    db.session.commit()
    worker()
    assert sorted(r.document["data"]["email"] for r in receiver.requests[2:]) == [
        "ana@example.com", "bob@example.com"]
    assert set(db.session.scalars(select(WebhookDelivery.state))) == {"delivered"}
    assert endpoint_row(hook.id).consecutive_failures == 0


def test_a_large_answer_is_cut_and_a_slow_one_times_out(app, endpoint, receiver, worker):
    endpoint()
    receiver.answers = [(200, "x" * 200_000, {})]
    _signup()
    worker()
    attempt = db.session.scalar(select(WebhookAttempt))
    assert attempt.error == "" and len(attempt.response) == 500

    app.config["WEBHOOK_TIMEOUT"] = 0.3
    receiver.delay = 1.0
    _signup("bob@example.com")
    worker()
    attempt = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()[1]
    assert attempt.status_code is None and "did not answer" in attempt.error
    assert attempt.duration_ms < 900


def test_emit_refuses_an_unknown_event(app):
    import pytest

    with pytest.raises(ValueError):
        outbox.emit(db.session, "nonsense", {})


def test_subscriptions_made_and_ended_over_the_api_are_reported(endpoint, receiver, worker):
    from newsletter.audience import integration

    endpoint(events=["subscribed", "unsubscribed"])
    mlist = lists.create_list(db.session, "CRM list", optin="double")
    contact = integration.create(db.session, {"email": "cleo@example.com"}, "api:CRM")
    integration.subscribe(db.session, contact.id, mlist.id, source="api:CRM")
    db.session.commit()
    integration.unsubscribe(db.session, contact.id, mlist.id, source="api:CRM")
    db.session.commit()
    worker()
    assert events_received(receiver) == ["subscribed", "unsubscribed"]
    assert receiver.requests[-1].document["data"]["source"] == "api:CRM"


def test_contacts_unsubscribed_in_bulk_are_reported_one_by_one(endpoint, receiver, worker):
    from newsletter.audience import removal

    endpoint(events=["unsubscribed"])
    mlist = lists.create_list(db.session, "Bulk", optin="single")
    people = [lists.add_contact_to_list(db.session, mlist.id, f"p{i}@example.com")
              for i in range(3)]
    db.session.commit()
    assert removal.apply(db.session, "unsubscribe", [p.id for p in people],
                         "editor@example.com") == 3
    db.session.commit()
    worker()
    assert sorted(r.document["data"]["email"] for r in receiver.requests) == [
        "p0@example.com", "p1@example.com", "p2@example.com"]
    assert {r.document["data"]["source"] for r in receiver.requests} == {
        "unsubscribed by editor@example.com"}


def test_the_reaper_forgets_old_delivered_deliveries_but_keeps_pending_ones(
        app, endpoint, receiver, worker):
    from datetime import timedelta

    from sqlalchemy import update

    from newsletter import jobs
    from newsletter.models import utcnow

    endpoint()
    _signup()
    worker()  # delivered, with one attempt
    _signup("bob@example.com")  # pending (no worker yet)
    db.session.execute(update(WebhookDelivery).values(created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    jobs.reap()
    db.session.expire_all()
    assert db.session.scalars(select(WebhookDelivery.state)).all() == ["pending"]
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 0
