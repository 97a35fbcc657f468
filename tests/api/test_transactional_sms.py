"""POST /api/v1/transactional with channel sms: one text from an SMS campaign merged with
data, to one mobile number, through the real SMPP test server (the campaign's gateway) and
the real worker; its parts are charged to the quota once per Idempotency-Key, given back
when the SMSC refuses it for good; the admin's transactional log shows it."""

import pytest
from sqlalchemy import select

from newsletter.audience import suppression
from newsletter.campaigns import drafts
from newsletter.extensions import db
from newsletter.models import Channel, SmsQuotaMovement
from newsletter.sms import quota
from tests.factories import list_with_contacts

from .helpers import auth, make_key

ESME_RINVDSTADR = 0x0B  # invalid destination: permanent


@pytest.fixture
def app_config(app_config, smpp_server):
    app_config["SMS_GATEWAYS"] = {"outbox": "outbox:", "op": smpp_server.url}
    app_config["TRANSACTIONAL_RETRY_INTERVALS"] = [0]
    return app_config


@pytest.fixture
def sms_template(app):
    campaign = drafts.save_campaign(db.session, None, name="Codes", subject="", body_text="",
                                    list_ids=[list_with_contacts(name="Codes").id],
                                    sender_id=None)
    campaign.channel, campaign.sms_gateway = Channel.SMS, "op"
    campaign.sms_text, campaign.sms_sender = "Your code is {{ code }}.", "Shop"
    quota.top_up(db.session, 10)
    db.session.commit()
    return campaign


def _send(client, token, template_id, to="+421905123456", key=None, **data):
    headers = auth(token, **({"Idempotency-Key": key} if key else {}))
    return client.post("/api/v1/transactional", headers=headers, json={
        "channel": "sms", "template_id": template_id, "to": to,
        "data": data or {"code": "4711"}})


def test_an_sms_is_sent_once_and_charged_once(client, sms_template, worker, smpp_server,
                                              login):
    token = make_key()
    first = _send(client, token, sms_template.id, key="otp-1")
    assert first.status_code == 202, first.json
    assert (first.json["channel"], first.json["sms_parts"], first.json["subject"]) == (
        "sms", 1, "Your code is 4711.")
    again = _send(client, token, sms_template.id, key="otp-1")
    assert again.json["id"] == first.json["id"]
    assert quota.balance(db.session).available == 9
    worker()
    [submit] = smpp_server.submits
    assert submit.destination_addr == "421905123456"
    assert submit.short_message == b"Your code is 4711."
    state = client.get(f"/api/v1/transactional/{first.json['id']}", headers=auth(token))
    assert state.json["state"] == "sent" and state.json["attempts"] == 1
    login("viewer")
    page = client.get("/admin/transactional").text
    assert "+421905123456" in page and "Your code is 4711." in page and "Codes" in page


def test_refusals_name_the_field_and_charge_nothing(client, sms_template):
    token = make_key()
    landline = _send(client, token, sms_template.id, to="+421259301111")
    assert landline.status_code == 422 and "to" in landline.json["error"]["fields"]
    assert _send(client, token, sms_template.id, to="0905123456").status_code == 422
    email_template = drafts.save_campaign(db.session, None, name="Mail", subject="S",
                                          body_text="B", list_ids=[], sender_id=None)
    db.session.commit()
    wrong = _send(client, token, email_template.id)
    assert wrong.status_code == 422 and "template_id" in wrong.json["error"]["fields"]
    suppression.suppress(db.session, "+421905999999", suppression.Reason.ERASED)
    db.session.commit()
    assert _send(client, token, sms_template.id, to="+421905999999").status_code == 422
    long_text = _send(client, token, sms_template.id, code="x" * 200)
    assert long_text.status_code == 202 and long_text.json["sms_parts"] == 2
    assert quota.balance(db.session).available == 10 - 2


def test_the_quota_refuses_what_it_cannot_cover(client, sms_template):
    token = make_key()
    quota.charge(db.session, None, 10)
    db.session.commit()
    refused = _send(client, token, sms_template.id)
    assert refused.status_code == 422 and "quota" in refused.json["error"]["message"]


def test_a_permanent_refusal_fails_the_message_and_refunds(client, sms_template, worker,
                                                           smpp_server):
    token = make_key()
    smpp_server.statuses.append(ESME_RINVDSTADR)
    sent = _send(client, token, sms_template.id)
    worker()
    state = client.get(f"/api/v1/transactional/{sent.json['id']}", headers=auth(token)).json
    assert state["state"] == "failed" and state["error"]
    assert quota.balance(db.session).available == 10
    assert db.session.scalar(select(SmsQuotaMovement.note).order_by(
        SmsQuotaMovement.id.desc()).limit(1)).startswith(f"transactional SMS #{sent.json['id']}")
