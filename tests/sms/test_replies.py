"""Inbound "STOP": the number leaves SMS on every list, each withdrawal in the consent
history; an unknown number is suppressed. Also through `newsletter sms-listen` bound to the
local SMPP server."""

import os
import signal
import subprocess
import sys

from sqlalchemy import select

from newsletter.audience import lists, sms_replies, suppression
from newsletter.extensions import db
from newsletter.models import (
    Channel,
    ConsentRecord,
    Contact,
    ContactStatus,
    Subscription,
    SubscriptionStatus,
)
from newsletter.sms.parts import encode
from tests.processes import wait_for
from tests.sms.test_sending import sms_contact


def sms_states(contact_id):
    db.session.expire_all()
    return {(s.list_id, s.channel): s.status for s in db.session.scalars(
        select(Subscription).where(Subscription.contact_id == contact_id))}


def test_stop_ends_sms_subscriptions_with_consent_history(app):
    one = lists.create_list(db.session, "One", optin="single")
    two = lists.create_list(db.session, "Two", optin="single")
    db.session.commit()
    jan = sms_contact(one, "jan@example.sk", "+421905123456")
    db.session.add(Subscription(contact_id=jan.id, list_id=two.id, channel=Channel.SMS,
                                status=SubscriptionStatus.CONFIRMED))
    eva = sms_contact(one, "eva@example.sk", None, mobile="+421905123456")  # typed phone
    db.session.commit()
    assert sms_replies.handle_reply(db.session, "Hello", "421905123456") == 0
    assert sms_replies.handle_reply(db.session, "421905123456", "stop please") == 3
    db.session.commit()
    assert sms_states(jan.id) == {(one.id, "email"): "confirmed", (one.id, "sms"): "unsubscribed",
                                  (two.id, "sms"): "unsubscribed"}
    assert sms_states(eva.id)[(one.id, "sms")] == "unsubscribed"
    records = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.action == "withdrawn")).all()
    assert len(records) == 3 and {r.channel for r in records} == {"sms"}
    assert all("STOP from +421905123456" in r.source for r in records)
    assert db.session.get(Contact, jan.id).status == ContactStatus.ACTIVE  # e-mail remains
    assert sms_replies.handle_reply(db.session, "+421905123456", "STOP") == 0  # repeat: no-op


def test_stop_from_an_unknown_number_suppresses_it(app):
    assert sms_replies.handle_reply(db.session, "421905000009", "STOP") == 0
    db.session.commit()
    assert suppression.is_suppressed(db.session, "+421905000009")
    assert sms_replies.handle_reply(db.session, "garbage", "STOP") == 0


def test_sms_listen_acts_on_a_stop_from_the_smsc(app, smpp_server, tmp_path):
    mlist = lists.create_list(db.session, "One", optin="single")
    db.session.commit()
    jan = sms_contact(mlist, "jan@example.sk", "+421905123456")
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"],
           "REDIS_URL": app.config["REDIS_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
           "NEWSLETTER_INSTANCE_PATH": str(tmp_path),
           "NEWSLETTER_SMS_GATEWAYS": f'{{"op": "{smpp_server.url}"}}'}
    log = tmp_path / "listen.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "newsletter", "sms-listen", "--gateway",
                                 "op"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_for(lambda: smpp_server.binds and smpp_server._connections,
                 message=lambda: log.read_text())
        smpp_server.push("deliver_sm", source_addr="421905123456", destination_addr="7777",
                         short_message=encode("STOP", "gsm7"), data_coding=0, esm_class=0)
        wait_for(lambda: sms_states(jan.id)[(mlist.id, "sms")] == "unsubscribed",
                 message=lambda: log.read_text())
        wait_for(lambda: smpp_server.client_answers == [("deliver_sm_resp", 0)])
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
    assert "1 SMS subscription(s) ended" in log.read_text()
