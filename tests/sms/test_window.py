"""The SMPP send window: messages go out without waiting for their answers while fewer than
``window`` are unanswered, the answers find their messages by sequence number, a drop
leaves every unanswered message in doubt, and a campaign through the worker records each
answer for its delivery."""


from smpplib import consts

from newsletter.channels.base import (
    ConnectionBackoff,
    InDoubt,
    OutgoingMessage,
    PermanentFailure,
    TemporaryFailure,
)
from newsletter.channels.smpp import SmppMessenger
from newsletter.extensions import db
from newsletter.models import DeliveryState
from newsletter.sms import quota
from tests.sms.test_sending import mlist, sms_campaign, sms_contact, start, states

__all__ = ["mlist"]


def sms(reference, text="Hi", to="+421905123456"):
    return OutgoingMessage("", to, text.encode(), reference=reference)


def windowed(smpp_server, window):
    return SmppMessenger(smpp_server.host, smpp_server.port, "newsletter", "secret",
                         source="+421900000000", timeout=5, window=window)


def test_messages_go_out_before_the_answers_come(smpp_server):
    smpp_server.answering.clear()  # the SMSC holds its answers
    messenger = windowed(smpp_server, 4)
    try:
        # all three went out with no answer yet (waiting for one would time out)
        assert [messenger.send_windowed(sms(i)) for i in (1, 2, 3)] == [[], [], []]
        smpp_server.answering.set()
        answers = messenger.drain()
        assert [(ref, error) for ref, _, error in answers] == [(1, None), (2, None), (3, None)]
        assert [reply.reference for _, reply, _ in answers] == ["m1", "m2", "m3"]
        # the window is full: the next message waits for the first answer
        answers = [messenger.send_windowed(sms(i)) for i in (4, 5, 6, 7, 8)]
        assert [len(a) for a in answers] == [0, 0, 0, 0, 1]
    finally:
        messenger.close()


def test_each_answer_finds_its_message(smpp_server):
    smpp_server.statuses.extend([0, consts.SMPP_ESME_RINVDSTADR, 0, 0,
                                 consts.SMPP_ESME_RTHROTTLED])
    messenger = windowed(smpp_server, 10)
    try:
        for i, text in enumerate(["one", "two", "x" * 200, "four"], 1):  # 3rd: two parts
            assert messenger.send_windowed(sms(i, text)) == []
        answers = {ref: (reply, error) for ref, reply, error in messenger.drain()}
        assert answers[1][0] == "accepted m1"
        assert isinstance(answers[2][1], PermanentFailure)
        assert answers[3][0] == "accepted m3 m4"  # both parts of message 3
        assert isinstance(answers[4][1], ConnectionBackoff)
        over = messenger.send_windowed(sms(5, "ž" * 250))  # over the cap: never sent
        assert over[0][0] == 5 and isinstance(over[0][2], PermanentFailure)
    finally:
        messenger.close()


def test_a_drop_leaves_every_unanswered_message_in_doubt(smpp_server):
    smpp_server.drop_after_submit = 1
    messenger = windowed(smpp_server, 10)
    try:
        answers = []
        for i in (1, 2, 3):
            answers += messenger.send_windowed(sms(i))
        answers += messenger.drain()
        assert sorted(ref for ref, _, _ in answers) == [1, 2, 3]
        assert all(isinstance(error, (InDoubt, TemporaryFailure)) for _, _, error in answers)
        assert messenger.send_windowed(sms(4)) == []  # reconnected
        assert messenger.drain()[0][1].startswith("accepted")
    finally:
        messenger.close()


def test_a_campaign_through_the_window(app, worker, mlist, smpp_server):
    app.config["SMS_GATEWAYS"] = {"op": smpp_server.url + "?window=5"}
    numbers = [f"+4219051230{i:02}" for i in range(12)]
    for i, number in enumerate(numbers):
        sms_contact(mlist, f"r{i}@example.sk", number)
    quota.top_up(db.session, 20)
    smpp_server.statuses.extend([0, 0, consts.SMPP_ESME_RINVDSTADR])  # the 3rd is refused
    campaign = sms_campaign(mlist, text="Hi", gateway="op")
    start(campaign.id)
    worker()
    found = states(campaign.id)
    # (the server is shared by the session: a late PDU of an earlier test is not ours)
    ours = [s for s in smpp_server.submits if f"+{s.destination_addr}" in numbers]
    [refused] = [s.destination_addr for s in ours if s.status]
    assert found[f"+{refused}"][0] == DeliveryState.FAILED
    assert sorted(s for a, (s, _, _) in found.items() if a != f"+{refused}") == \
        [DeliveryState.SENT] * 11
    assert len(ours) == 12
    assert quota.balance(db.session) == quota.Balance(20 - 11, 0)
