"""The HTTP gateway with the real Kannel (bearerbox + smsbox) in front of the local SMPP
server as the operator: campaigns go out through Kannel's sendsms, the operator's delivery
receipts come back through Kannel as POSTs that move each delivery to delivered or failed,
and a phone's "STOP" comes back as a POST that ends its SMS subscriptions."""

import pytest
from sqlalchemy import select

from newsletter.channels import sms_gateways
from newsletter.channels.base import OutgoingMessage, ServerUnavailable
from newsletter.extensions import db
from newsletter.models import ConsentRecord, DeliveryState, SubscriptionStatus
from newsletter.sending import sms_receipts
from newsletter.sms import quota
from newsletter.sms.parts import encode
from tests import kannel as kannel_process
from tests.processes import wait_for
from tests.sms.test_replies import sms_states
from tests.sms.test_sending import MOBILE, mlist, sms_campaign, sms_contact, start, states

__all__ = ["mlist"]
OTHER = "+421905000002"


@pytest.fixture
def kannel(app, live_server, smpp_server, tmp_path):
    app.config["BASE_URL"] = live_server
    with app.test_request_context():
        inbound = f"{live_server}/sms/inbound/{sms_receipts.inbound_token('kannel')}?from=%p"
    running = kannel_process.start(tmp_path, smpp_server, inbound, f"{live_server}/sms/reports")
    app.config["SMS_GATEWAYS"] = {"outbox": "outbox:", "kannel": running.gateway_url()}
    yield running
    kannel_process.stop(running)


def receipt(smpp_server, number: str, state: str, error: str = "000") -> None:
    """The operator's delivery receipt for the last message it got for ``number``."""
    message_id = [s.message_id for s in smpp_server.submits
                  if s.destination_addr == number.lstrip("+")][-1]
    smpp_server.push("deliver_sm", source_addr=number.lstrip("+"), destination_addr="7777",
                     esm_class=0x04, short_message=(
                         f"id:{message_id} sub:001 dlvrd:001 submit date:2611291200 "
                         f"done date:2611291201 stat:{state} err:{error} text:").encode())


def test_a_campaign_through_kannel_with_delivery_reports(app, worker, mlist, kannel,
                                                         smpp_server):
    sms_contact(mlist, "a@example.sk", MOBILE, first_name="Ján")  # UCS-2
    sms_contact(mlist, "b@example.sk", OTHER, first_name="Eva")  # GSM-7
    quota.top_up(db.session, 10)
    campaign = sms_campaign(mlist, text="Ahoj {{ first_name }}", gateway="kannel")
    start(campaign.id)
    worker()
    assert {a: s[0] for a, s in states(campaign.id).items()} == {
        MOBILE: DeliveryState.SENT, OTHER: DeliveryState.SENT}, states(campaign.id)
    wait_for(lambda: len(smpp_server.submits) == 2, message=kannel.logs)
    got = {s.destination_addr: s for s in smpp_server.submits}
    assert got[MOBILE.lstrip("+")].data_coding == 8  # Kannel sent UCS-2 for the "á"
    assert got[MOBILE.lstrip("+")].short_message.decode("utf-16-be") == "Ahoj Ján"
    assert got[OTHER.lstrip("+")].data_coding in (0, 1)
    assert got[OTHER.lstrip("+")].registered_delivery  # a receipt was asked for

    receipt(smpp_server, MOBILE, "DELIVRD")
    receipt(smpp_server, OTHER, "UNDELIV", "001")

    def moved():
        db.session.expire_all()
        found = states(campaign.id)
        return found[MOBILE][0] == DeliveryState.DELIVERED and \
            found[OTHER][0] == DeliveryState.FAILED
    wait_for(moved, message=kannel.logs)
    assert states(campaign.id)[OTHER][2] == "delivery report: Kannel DLR type 2"
    # the failed one was sent: its part stays charged
    quota.settle(db.session, campaign.id)
    db.session.commit()
    assert quota.balance(db.session) == quota.Balance(8, 0)


def test_a_stop_through_kannel_ends_the_sms_subscription(app, mlist, kannel, smpp_server):
    jan = sms_contact(mlist, "jan@example.sk", MOBILE)
    smpp_server.push("deliver_sm", source_addr=MOBILE.lstrip("+"), destination_addr="7777",
                     short_message=encode("Stop", "gsm7"), data_coding=0, esm_class=0)

    def ended():
        return sms_states(jan.id)[(mlist.id, "sms")] == SubscriptionStatus.UNSUBSCRIBED
    wait_for(ended, message=kannel.logs)
    record = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.action == "withdrawn")).one()
    assert record.channel == "sms" and f"STOP from {MOBILE}" in record.source
    assert "via kannel" in record.source


def test_kannel_refusing_our_credentials_means_the_gateway_is_unavailable(app, kannel):
    app.config["SMS_GATEWAYS"]["wrong"] = kannel.gateway_url(password="wrong")
    messenger = sms_gateways.open_gateway(app.config, "wrong")
    with pytest.raises(ServerUnavailable, match="credentials"):
        messenger.send(OutgoingMessage("", MOBILE, b"Hi"))
    messenger.close()
