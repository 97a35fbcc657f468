"""Delivery receipts move a sent SMS to delivered or failed, once: SMPP receipts by the
SMSC's message id (through the sending worker and `newsletter sms-listen`), the HTTP
gateway's by a signed delivery id POSTed to /sms/reports (a GET changes nothing)."""

import pytest

from newsletter.extensions import db
from newsletter.models import DeliveryState
from newsletter.sending import sms_receipts
from newsletter.sms import quota
from tests.sms.test_sending import MOBILE, mlist, sms_campaign, sms_contact, start, states

__all__ = ["mlist"]
OTHER = "+421905000002"


@pytest.mark.parametrize("text, expected", [
    ("id:m7 sub:001 dlvrd:001 submit date:2611291200 done date:2611291201 stat:DELIVRD "
     "err:000 text:Ahoj", ("m7", "DELIVRD", "000", True)),
    ("id:0123abc sub:001 dlvrd:000 submit date:1 done date:2 stat:UNDELIV err:012",
     ("0123abc", "UNDELIV", "012", False)),
    ("id:9 stat:ENROUTE", ("9", "ENROUTE", "", None)),
])
def test_smpp_receipt_texts_are_read(text, expected):
    found = sms_receipts.parse_smpp_receipt(text)
    assert (found.message_id, found.state, found.error, found.delivered) == expected
    assert sms_receipts.parse_smpp_receipt("Hello") is None


@pytest.fixture
def smpp_campaign(app, worker, mlist, smpp_server):
    app.config["SMS_GATEWAYS"] = {"op": smpp_server.url}
    sms_contact(mlist, "a@example.sk", MOBILE)
    sms_contact(mlist, "b@example.sk", OTHER)
    quota.top_up(db.session, 10)
    campaign = sms_campaign(mlist, text="Hi", gateway="op")
    start(campaign.id)
    return campaign


def test_a_receipt_that_comes_while_the_worker_sends_is_recorded(app, worker, smpp_campaign,
                                                                  smpp_server):
    smpp_server.send_to_client.append("deliver_sm")  # "id:m1 stat:DELIVRD", before the 2nd
    worker()
    found = states(smpp_campaign.id)
    assert found[MOBILE][0] == DeliveryState.DELIVERED  # m1 was the first message's id
    assert found[OTHER][0] == DeliveryState.SENT
    assert ("deliver_sm_resp", 0) in smpp_server.client_answers


def test_smpp_receipts_move_deliveries_once(app, worker, smpp_campaign, smpp_server):
    worker()
    ids = {s.destination_addr: s.message_id for s in smpp_server.submits}
    undelivered = f"id:{ids[OTHER[1:]]} sub:001 dlvrd:000 stat:UNDELIV err:001"
    assert sms_receipts.handle_deliver(db.session, "op", OTHER, undelivered, True) \
        .endswith("delivery updated")
    delivered = f"id:{ids[MOBILE[1:]]} stat:DELIVRD err:000"
    sms_receipts.handle_deliver(db.session, "op", MOBILE, delivered, True)
    # repeated, late or for another gateway: nothing changes
    assert sms_receipts.handle_deliver(db.session, "op", OTHER, delivered.replace(
        ids[MOBILE[1:]], ids[OTHER[1:]]), True).endswith("nothing to change")
    assert sms_receipts.handle_deliver(db.session, "elsewhere", MOBILE, delivered, True) \
        .endswith("nothing to change")
    assert sms_receipts.handle_deliver(db.session, "op", MOBILE, "id:m999 stat:DELIVRD",
                                       True).endswith("nothing to change")
    db.session.commit()
    found = states(smpp_campaign.id)
    assert found[MOBILE][0] == DeliveryState.DELIVERED
    assert found[OTHER][:3:2] == (DeliveryState.FAILED, "delivery report: UNDELIV (error 001)")


def test_http_reports_need_a_post_and_a_signed_delivery(app, client, worker, smpp_campaign):
    delivery_ids = {}
    from newsletter.models import Delivery
    for d in db.session.query(Delivery).filter_by(campaign_id=smpp_campaign.id):
        delivery_ids[d.address] = d.id
    with app.test_request_context():
        token = sms_receipts.report_token(delivery_ids[MOBILE])
        forged = sms_receipts.inbound_token("op")  # a token for another purpose
    # not sent yet: the gateway is told to try again
    assert client.post("/sms/reports", data=f"{token} 1").status_code == 503
    worker()
    assert client.get("/sms/reports").status_code == 200  # says what it is, changes nothing
    assert client.post("/sms/reports", data=f"{forged} 1").status_code == 400
    assert client.post("/sms/reports", data="garbage").status_code == 400
    assert client.post("/sms/reports", data=f"{token} 8").status_code == 200  # not final
    assert states(smpp_campaign.id)[MOBILE][0] == DeliveryState.SENT
    assert client.post("/sms/reports", data=f"newsletter-dlr {token} 1").status_code == 200
    db.session.expire_all()
    assert states(smpp_campaign.id)[MOBILE][0] == DeliveryState.DELIVERED


def test_the_status_tab_counts_delivered_and_failed(app, client, login, worker,
                                                    smpp_campaign, smpp_server):
    worker()
    ids = {s.destination_addr: s.message_id for s in smpp_server.submits}
    sms_receipts.handle_deliver(db.session, "op", MOBILE, f"id:{ids[MOBILE[1:]]} stat:DELIVRD",
                                True)
    sms_receipts.handle_deliver(db.session, "op", OTHER, f"id:{ids[OTHER[1:]]} stat:EXPIRED",
                                True)
    db.session.commit()
    login("editor")
    live = client.get(f"/admin/campaigns/{smpp_campaign.id}/status.json").json
    assert (live["sent"], live["delivered"], live["failed"]) == (0, 1, 1)
    page = client.get(f"/admin/campaigns/{smpp_campaign.id}").text
    assert 'data-stat="delivered">1<' in page and "Sent, no report yet" in page
    # the failed one was sent: its part stays charged after the quota is settled
    from newsletter.sending import sms as sms_sending
    sms_sending.settle(db.session, smpp_campaign.id)
    assert quota.balance(db.session) == quota.Balance(8, 0)


def test_sms_callback_url_prints_the_signed_reply_url(app, runner):
    app.config["SMS_GATEWAYS"] = {"outbox": "outbox:",
                                  "op": "kannel+http://u:p@127.0.0.1:13013/cgi-bin/sendsms"}
    result = runner.invoke(args=["sms-callback-url", "--gateway", "op"])
    assert result.exit_code == 0, result.output
    inbound, reports = result.output.split()
    base = app.config["BASE_URL"].rstrip("/")
    assert reports == f"{base}/sms/reports"
    assert inbound.startswith(f"{base}/sms/inbound/") and inbound.endswith("?from=%p")
    token = inbound.removeprefix(f"{base}/sms/inbound/").removesuffix("?from=%p")
    assert sms_receipts.gateway_of(token) == "op"
    refused = runner.invoke(args=["sms-callback-url", "--gateway", "outbox"])
    assert refused.exit_code != 0 and "not an HTTP" in refused.output
