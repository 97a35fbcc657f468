"""SMS gateways behind the Messenger protocol: the dev outbox and SMPP 3.4 against the local
test SMSC (tests/smpp_server.py): UDH concatenation, data_coding, addressing, throttling,
refusals, drops and reconnects, enquire_link and deliver_sm while waiting."""

import threading

import pytest
from smpplib import consts

from newsletter.channels import sms_gateways, sms_outbox
from newsletter.channels.base import (
    ConnectionBackoff,
    InDoubt,
    OutgoingMessage,
    PermanentFailure,
    ServerUnavailable,
    TemporaryFailure,
)
from newsletter.channels.smpp import SmppMessenger
from newsletter.sms.parts import GSM7_BASIC, encode
from tests.processes import wait_for


def sms(text, to="+421905123456", sender=""):
    return OutgoingMessage(sender=sender, recipient=to, data=text.encode("utf-8"))


@pytest.fixture
def messenger(smpp_server):
    m = SmppMessenger(smpp_server.host, smpp_server.port, "newsletter", "secret",
                      source="+421900000000", timeout=5)
    yield m
    m.close()


def test_one_part_gsm7(messenger, smpp_server):
    reply = messenger.send(sms("Hello {you} €5"))
    (submit,) = smpp_server.submits
    assert reply == f"accepted {submit.message_id}"
    assert (submit.data_coding, submit.esm_class, submit.registered_delivery) == (0, 0, 1)
    assert submit.destination_addr == "421905123456"
    assert (submit.dest_addr_ton, submit.dest_addr_npi) == (1, 1)
    assert (submit.source_addr, submit.source_addr_ton) == ("421900000000", 1)
    assert submit.short_message == (b"Hello " + bytes((0x1B, 0x28)) + b"you"
                                    + bytes((0x1B, 0x29, 0x20, 0x1B, 0x65)) + b"5")
    assert smpp_server.binds == [("newsletter", "secret")]


def test_concatenated_parts_carry_a_udh_and_one_reference(messenger, smpp_server):
    text = "a" * 152 + "€" + "b" * 160
    messenger.send(sms(text))
    submits = smpp_server.submits
    assert len(submits) == 3
    references = {s.short_message[3] for s in submits}
    assert len(references) == 1
    for number, submit in enumerate(submits, 1):
        assert submit.esm_class == 0x40 and submit.data_coding == 0
        assert submit.short_message[:6] == bytes((5, 0, 3, submit.short_message[3], 3, number))
        assert len(submit.short_message) - 6 <= 153
    assert submits[0].short_message[6:] == b"a" * 152  # the escape pair went whole to part 2
    assert submits[1].short_message[6:8] == bytes((0x1B, 0x65))
    assert [s.registered_delivery for s in submits] == [0, 0, 1]
    messenger.send(sms(text))
    assert smpp_server.submits[3].short_message[3] != submits[0].short_message[3]


def test_ucs2_parts(messenger, smpp_server):
    text = "Dobrý deň " * 10  # 100 UTF-16 units: 2 parts of 67 and 33
    messenger.send(sms(text))
    first, second = smpp_server.submits
    assert first.data_coding == 8 and first.esm_class == 0x40
    body = first.short_message[6:] + second.short_message[6:]
    assert body.decode("utf-16-be") == text
    assert len(first.short_message[6:]) == 134


def test_senders_on_the_wire(messenger, smpp_server):
    messenger.send(sms("x", sender="Shop"))
    messenger.send(sms("x", sender="7777"))
    alnum, short = smpp_server.submits
    assert (alnum.source_addr, alnum.source_addr_ton, alnum.source_addr_npi) == ("Shop", 5, 0)
    assert (short.source_addr, short.source_addr_ton) == ("7777", 3)


@pytest.mark.parametrize("status", [consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL])
def test_throttling_backs_off_and_the_next_message_goes(messenger, smpp_server, status):
    smpp_server.statuses.append(status)
    with pytest.raises(ConnectionBackoff) as info:
        messenger.send(sms("one"))
    assert info.value.code == status and not info.value.permanent
    assert messenger.send(sms("one")).startswith("accepted")


def test_refusals(messenger, smpp_server):
    smpp_server.statuses.extend([consts.SMPP_ESME_RINVDSTADR, consts.SMPP_ESME_RSYSERR])
    with pytest.raises(PermanentFailure, match="0x0B"):
        messenger.send(sms("x"))
    with pytest.raises(TemporaryFailure) as info:
        messenger.send(sms("x"))
    assert not isinstance(info.value, ConnectionBackoff)


def test_a_refused_later_part_leaves_the_message_in_doubt(messenger, smpp_server):
    smpp_server.statuses.extend([0, consts.SMPP_ESME_RTHROTTLED])
    with pytest.raises(InDoubt):
        messenger.send(sms("a" * 200))


def test_a_drop_before_the_answer_is_in_doubt_and_the_next_message_reconnects(
        messenger, smpp_server):
    smpp_server.drop_after_submit = 1
    with pytest.raises(InDoubt):
        messenger.send(sms("x"))
    assert messenger.send(sms("y")).startswith("accepted")
    assert len(smpp_server.binds) == 2


def test_a_wrong_password_means_the_gateway_is_unavailable(smpp_server):
    m = SmppMessenger(smpp_server.host, smpp_server.port, "newsletter", "wrong", timeout=5)
    with pytest.raises(ServerUnavailable, match="cannot bind"):
        m.send(sms("x"))
    m.close()


def test_no_server_means_unavailable(smpp_server):
    m = SmppMessenger("127.0.0.1", 1, "newsletter", "secret", timeout=2)
    with pytest.raises(ServerUnavailable):
        m.send(sms("x"))


def test_enquire_link_and_deliver_sm_while_waiting_are_answered(messenger, smpp_server):
    smpp_server.send_to_client.extend(["enquire_link", "deliver_sm"])
    assert messenger.send(sms("x")).startswith("accepted")
    messenger.send(sms("y"))  # the SMSC reads a connection in order: the answers came first
    assert smpp_server.client_answers == [
        ("enquire_link_resp", 0), ("deliver_sm_resp", consts.SMPP_ESME_RX_T_APPN)]


def test_an_idle_link_is_probed_before_the_next_message(messenger, smpp_server):
    messenger.send(sms("x"))
    messenger.keepalive = 0
    messenger.send(sms("y"))
    assert len(smpp_server.binds) == 1 and len(smpp_server.submits) == 2


def test_texts_over_the_cap_never_reach_the_smsc(messenger, smpp_server):
    with pytest.raises(PermanentFailure, match="parts"):
        messenger.send(sms("a" * 460))
    assert smpp_server.submits == []


def test_every_gsm7_character_round_trips(messenger, smpp_server):
    text = GSM7_BASIC.replace("\x1b", "")[:127]
    messenger.send(sms(text))
    assert smpp_server.submits[0].short_message == bytes(c for c in range(128) if c != 0x1B)


def test_dev_outbox_keeps_each_message_with_its_parts(tmp_path):
    outbox = sms_outbox.SmsOutbox(str(tmp_path / "sms"))
    reply = outbox.send(sms("Ahoj " * 40, sender="Shop"))
    assert reply.endswith("(2 parts)")
    (message,) = sms_outbox.list_messages(str(tmp_path / "sms"))
    assert (message["from"], message["to"], message["encoding"]) == ("Shop", "+421905123456",
                                                                     "gsm7")
    assert len(message["parts"]) == 2 and "".join(message["parts"]) == "Ahoj " * 40
    assert sms_outbox.get_message(str(tmp_path / "sms"), message["key"]) == message
    assert sms_outbox.get_message(str(tmp_path / "sms"), "../../etc/passwd") is None
    assert sms_outbox.list_messages(str(tmp_path / "missing")) == []


def test_gateways_by_name(smpp_server, tmp_path):
    config = {"SMS_OUTBOX_DIR": str(tmp_path),
              "SMS_GATEWAYS": {"outbox": "outbox:", "op": smpp_server.url + "?source=7777"}}
    assert sms_gateways.names(config) == ["outbox", "op"]
    assert isinstance(sms_gateways.open_gateway(config, "outbox"), sms_outbox.SmsOutbox)
    gateway = sms_gateways.open_gateway(config, "op")
    gateway.send(sms("x"))
    gateway.close()
    assert smpp_server.submits[0].source_addr == "7777"
    with pytest.raises(sms_gateways.GatewayError, match="no SMS gateway"):
        sms_gateways.open_gateway(config, "nope")
    config["SMS_GATEWAYS"]["bad"] = "http://x"
    with pytest.raises(sms_gateways.GatewayError, match="unknown kind"):
        sms_gateways.open_gateway(config, "bad")


def test_the_admin_reads_the_sms_outbox(app, client, login):
    SmsOutbox = sms_outbox.SmsOutbox  # noqa: N806
    reply = SmsOutbox(app.config["SMS_OUTBOX_DIR"]).send(sms("Ahoj <b>Ján</b> " * 6))
    key = reply.split()[1]
    login("viewer")
    page = client.get("/admin/outbox/sms")
    assert page.status_code == 200 and "+421905123456" in page.text
    assert "&lt;b&gt;Ján&lt;/b&gt;" in page.text and "<b>Ján" not in page.text
    assert "2 (UCS-2)" in page.text
    detail = client.get(f"/admin/outbox/sms/{key}")
    assert detail.status_code == 200 and detail.text.count("<li><pre") == 2
    assert client.get("/admin/outbox/sms/nope").status_code == 404
    assert "SMS outbox" in client.get("/admin/outbox").text


def test_every_part_refused_is_the_refusal_itself(messenger, smpp_server):
    smpp_server.statuses.extend([consts.SMPP_ESME_RTHROTTLED] * 2)
    with pytest.raises(ConnectionBackoff):
        messenger.send(sms("a" * 200))
    assert len(smpp_server.submits) == 2  # both parts went out before the first answer


def test_the_listener_hands_replies_and_receipts_over(smpp_server):
    got, stop = [], threading.Event()
    listener = SmppMessenger(smpp_server.host, smpp_server.port, "newsletter", "secret",
                             on_deliver=lambda *args: got.append(args))
    thread = threading.Thread(target=listener.listen, args=(stop.is_set, 0.2))
    thread.start()
    try:
        wait_for(lambda: smpp_server.binds and smpp_server._connections)
        smpp_server.push("deliver_sm", source_addr="421905123456", destination_addr="7777",
                         short_message=encode("Stop €", "gsm7"), data_coding=0, esm_class=0)
        smpp_server.push("deliver_sm", source_addr="421905123456", destination_addr="7777",
                         short_message="Čau".encode("utf-16-be"), data_coding=8, esm_class=0)
        smpp_server.push("deliver_sm", source_addr="421905123456", destination_addr="7777",
                         short_message=b"id:m1 stat:DELIVRD", data_coding=0, esm_class=0x04)
        wait_for(lambda: len(got) == 3 and len(smpp_server.client_answers) == 3)
    finally:
        stop.set()
        thread.join(10)
    assert got == [("421905123456", "Stop €", False), ("421905123456", "Čau", False),
                   ("421905123456", "id:m1 stat:DELIVRD", True)]
    assert smpp_server.client_answers == [("deliver_sm_resp", 0)] * 3
    assert not thread.is_alive()
