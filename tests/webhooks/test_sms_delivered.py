"""``sms.delivered``: an SMS campaign sent through the local SMSC, then the SMSC's
delivery receipt for that message becomes the event, naming the campaign delivery."""

from sqlalchemy import select

from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.models import Delivery
from newsletter.sending import sms_receipts
from newsletter.sms import quota
from tests.sms.test_sending import MOBILE, sms_campaign, sms_contact, start

from .conftest import events_received


def test_a_delivery_receipt_is_reported(app_config, smpp_server, request):
    app_config["SMS_GATEWAYS"] = {"operator": smpp_server.url + "?source=%2B421900000000"}
    request.getfixturevalue("app")
    worker = request.getfixturevalue("worker")
    receiver = request.getfixturevalue("receiver")
    request.getfixturevalue("endpoint")(events=["sms.delivered"])
    mlist = lists.create_list(db.session, "Phones", optin="single")
    sms_contact(mlist, "a@example.sk", MOBILE)
    quota.top_up(db.session, 10)
    campaign = sms_campaign(mlist, text="Hello", gateway="operator")
    start(campaign.id)
    worker()
    delivery = db.session.scalar(select(Delivery).where(Delivery.campaign_id == campaign.id))
    message_id = delivery.message_id
    assert message_id == smpp_server.submits[0].message_id

    receipt = f"id:{message_id} sub:001 dlvrd:001 submit date:2611291200 done " \
              f"date:2611291201 stat:DELIVRD err:000 text:Hello"
    sms_receipts.handle_deliver(db.session, "operator", MOBILE.lstrip("+"), receipt, True)
    # a repeated (or contradicting) receipt changes nothing and reports nothing again
    sms_receipts.handle_deliver(db.session, "operator", MOBILE,
                                receipt.replace("DELIVRD", "UNDELIV"), True)
    db.session.commit()
    worker()
    assert events_received(receiver) == ["sms.delivered"]
    data = receiver.requests[0].document["data"]
    assert data == {"number": MOBILE, "receipt_id": message_id, "gateway": "operator",
                    "delivery_id": delivery.id, "campaign_id": campaign.id,
                    "contact_id": delivery.contact_id}
