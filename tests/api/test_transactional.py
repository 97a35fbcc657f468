"""POST /api/v1/transactional: one message from a template to one address, sent by the
real worker to the real SMTP server through the engine's parts (the sender's DKIM key and
its rate limit shared with campaigns), retried after a temporary refusal, logged in the
admin."""

from email import message_from_bytes, policy

import dkim
import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from newsletter import queue
from newsletter.audience import suppression
from newsletter.extensions import db
from newsletter.models import TransactionalMessage
from newsletter.sending import senders
from newsletter.sending.dkim import dns_record
from tests.factories import draft, list_with_contacts

from .helpers import auth, make_key


@pytest.fixture
def app_config(app_config):
    app_config["TRANSACTIONAL_RETRY_INTERVALS"] = [0]
    return app_config


@pytest.fixture
def template(app):
    sender = senders.save_sender(
        db.session, None, name="Shop", from_name="Shop", from_email="orders@shop.example",
        reply_to="help@shop.example", rate_limit=3000, rate_period="hour",
        dkim_selector="nl1")
    senders.generate_dkim_key(db.session, sender.id)
    campaign = draft(list_with_contacts(name="Orders"), subject="Order {{ order_id }}",
                     body="Hello,\nyour order {{ data.order_id }} for {{ email }} ships "
                          "today.\n", sender_id=sender.id)
    db.session.commit()
    return campaign


def _send(client, token, template_id, to="ana@example.com", key=None, **data):
    headers = auth(token, **({"Idempotency-Key": key} if key else {}))
    return client.post("/api/v1/transactional", headers=headers, json={
        "template_id": template_id, "to": to, "data": data or {"order_id": "42"}})


def test_a_message_is_sent_signed_once_per_idempotency_key(client, template, worker,
                                                           smtp_server):
    token = make_key()
    response = _send(client, token, template.id, key="order-42")
    assert response.status_code == 202, response.text
    assert response.json["state"] == "queued" and response.json["subject"] == "Order 42"
    again = _send(client, token, template.id, key="order-42")
    assert again.json["id"] == response.json["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    worker()
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["ana@example.com"]
    assert received.mail_from == "orders@shop.example"
    msg = message_from_bytes(received.data, policy=policy.default)
    assert msg["Subject"] == "Order 42" and msg["Reply-To"] == "help@shop.example"
    assert msg["Message-ID"] == f"<nl.t.{response.json['id']}@shop.example>"
    assert msg["List-Unsubscribe"] is None  # not list mail
    assert "your order 42 for ana@example.com ships" in msg.get_body(("plain",)).get_content()
    sender = template.sender
    record = dns_record(sender.dkim_private_key).encode()
    assert dkim.verify(received.data, dnsfunc=lambda name, timeout=5: record)
    state = client.get(f"/api/v1/transactional/{response.json['id']}", headers=auth(token))
    assert state.json["state"] == "sent" and state.json["attempts"] == 1
    assert state.json["sent_at"]


def test_refusals_name_the_field(client, template):
    token = make_key()
    response = _send(client, token, 9999)
    assert response.status_code == 422
    assert "template_id" in response.json["error"]["fields"]
    response = _send(client, token, template.id, to="not-an-address")
    assert response.status_code == 422 and "to" in response.json["error"]["fields"]
    suppression.suppress(db.session, "gone@example.com", suppression.Reason.BOUNCED)
    db.session.commit()
    response = _send(client, token, template.id, to="gone@example.com")
    assert response.status_code == 422 and "bounced" in response.json["error"]["message"]
    assert db.session.scalar(select(TransactionalMessage)) is None
    assert len(queue.get_queue(queue.SUBSCRIBER)) == 0
    reader = make_key(scopes=["transactional:read"], name="reader")
    assert _send(client, reader, template.id).status_code == 403


def test_a_temporary_refusal_is_retried_and_a_permanent_one_fails(client, template, worker,
                                                                 smtp_server):
    token = make_key()
    smtp_server.handler.data_replies = ["451 4.3.0 try later"]
    first = _send(client, token, template.id).json["id"]
    worker()
    row = db.session.get(TransactionalMessage, first)
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1
    smtp_server.handler.rcpt_replies["bob@example.com"] = "550 5.1.1 no such user"
    second = _send(client, token, template.id, to="bob@example.com").json["id"]
    worker()
    row = db.session.get(TransactionalMessage, second)
    assert row.state == "failed" and "5.1.1" in row.error and row.attempts == 1


def test_the_senders_rate_limit_is_shared(client, template, worker, smtp_server):
    template.sender.rate_limit, template.sender.rate_period = 1, "hour"
    db.session.commit()
    token = make_key()
    ids = [_send(client, token, template.id, to=f"n{i}@example.com").json["id"]
           for i in range(2)]
    worker()
    assert len(smtp_server.messages) == 1
    states = sorted(db.session.get(TransactionalMessage, i).state for i in ids)
    assert states == ["queued", "sent"]
    registry = ScheduledJobRegistry(queue=queue.get_queue(queue.SUBSCRIBER))
    assert len(registry.get_job_ids()) == 1  # it comes back when the rate allows


def test_the_admin_log_lists_messages(client, template, worker, login):
    token = make_key()
    _send(client, token, template.id)
    worker()
    login("viewer")
    page = client.get("/admin/transactional").text
    assert "ana@example.com" in page and "Order 42" in page and "sent" in page
    assert "Test campaign" in page  # the template, with its counts
