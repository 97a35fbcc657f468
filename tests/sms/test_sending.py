"""SMS campaigns through the real pipeline: start (merge, parts, skips, quota reserved),
the real RQ worker, the dev outbox or the local SMPP server, outcomes, and the quota
settled to exactly the parts sent."""

import pytest
from smpplib import consts
from sqlalchemy import select

from newsletter import jobs
from newsletter.audience import lists
from newsletter.campaigns import drafts, lifecycle
from newsletter.channels import sms_outbox
from newsletter.extensions import db
from newsletter.models import (
    Campaign,
    CampaignStatus,
    Channel,
    ConsentRecord,
    ContactPhone,
    Delivery,
    DeliveryState,
    Organization,
    Subscription,
    SubscriptionStatus,
)
from newsletter.sending import sms
from newsletter.sms import quota
from tests.blocklist.world import entry

MOBILE = "+421905123456"


def sms_contact(mlist, email, phone=None, *, first_name="Ján", mobile=None, organization=None,
                channel=Channel.SMS):
    contact = lists.add_contact_to_list(db.session, mlist.id, email, first_name=first_name)
    contact.phone = phone
    contact.organization_id = organization.id if organization else None
    if channel == Channel.SMS:  # (added to the list for e-mail already)
        db.session.add(Subscription(contact_id=contact.id, list_id=mlist.id, channel=channel,
                                    status=SubscriptionStatus.CONFIRMED))
        db.session.add(ConsentRecord(contact_id=contact.id, list_id=mlist.id, channel=channel,
                                     action="granted", source="test"))
    if mobile:
        db.session.add(ContactPhone(contact_id=contact.id, kind="mobile", number=mobile))
    db.session.commit()
    return contact


def sms_campaign(mlist, text="Ahoj {{ first_name }}, zľava 20 %!", gateway="outbox", **fields):
    campaign = drafts.save_campaign(db.session, None, name="SMS", subject="", body_text="",
                                    list_ids=[mlist.id], sender_id=None)
    campaign.channel, campaign.sms_text, campaign.sms_gateway = Channel.SMS, text, gateway
    for name, value in fields.items():
        setattr(campaign, name, value)
    db.session.commit()
    return campaign


def start(campaign_id):
    created = sms.start_campaign(db.session, campaign_id, actor="editor@example.com")
    db.session.commit()
    jobs.enqueue_send(campaign_id)
    return created


def states(campaign_id):
    return {d.address: (d.state, d.sms_parts, d.error) for d in db.session.scalars(
        select(Delivery).where(Delivery.campaign_id == campaign_id))}


@pytest.fixture
def mlist(app):
    mlist = lists.create_list(db.session, "Phones", optin="single")
    db.session.commit()
    return mlist


def test_an_sms_campaign_through_the_worker_to_the_dev_outbox(app, worker, mlist):
    acme = Organization(name="Acme", phone="+421905999999")  # never a recipient (seed)
    db.session.add(acme)
    db.session.commit()
    sms_contact(mlist, "a@example.sk", MOBILE, organization=acme)
    sms_contact(mlist, "b@example.sk", "+421221234567")  # a landline: skipped
    long_name = Organization(name="y" * 60)
    db.session.add(long_name)
    db.session.flush()
    sms_contact(mlist, "c@example.sk", "+421905000002", first_name="x" * 100,
                organization=long_name)  # 181 septets: 2 parts
    sms_contact(mlist, "d@example.sk", "+421905000003")  # blocked by its phone
    sms_contact(mlist, "e@example.sk", "+421905000004", channel=Channel.EMAIL)  # no SMS
    sms_contact(mlist, "f@example.sk", None)  # no number
    entry(channels=[Channel.SMS], phone="+421905000003")
    quota.top_up(db.session, 10)
    db.session.commit()
    campaign = sms_campaign(mlist, text="Ahoj {{ first_name }} ({{ organization }})",
                            sms_opt_out="STOP na 7777")
    assert start(campaign.id) == 4
    assert quota.balance(db.session) == quota.Balance(7, 3)
    worker()
    result = states(campaign.id)
    assert result[MOBILE][:2] == (DeliveryState.SENT, 1)
    assert result["+421905000002"][:2] == (DeliveryState.SENT, 2)
    assert result["+421221234567"][0] == DeliveryState.SKIPPED
    assert "cannot receive SMS" in result["+421221234567"][2]
    assert result["+421905000003"][0] == DeliveryState.BLOCKED
    assert set(result) == {MOBILE, "+421905000002", "+421221234567", "+421905000003"}
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == CampaignStatus.FINISHED
    assert quota.balance(db.session) == quota.Balance(7, 0)
    messages = {m["to"]: m for m in sms_outbox.list_messages(app.config["SMS_OUTBOX_DIR"])}
    assert messages[MOBILE]["text"] == "Ahoj Ján (Acme)\nSTOP na 7777"
    assert messages[MOBILE]["encoding"] == "ucs2"  # the "á"
    assert len(messages["+421905000002"]["parts"]) == 2
    kinds = [(m.kind, m.amount) for m in reversed(quota.movements(db.session))]
    assert kinds == [("top_up", 10), ("reserve", 3), ("deduct", 3)]


def test_a_text_over_the_cap_after_merging_is_skipped_with_the_reason(app, worker, mlist):
    sms_contact(mlist, "a@example.sk", MOBILE, first_name="Jan")  # 363 septets: 3 parts
    sms_contact(mlist, "b@example.sk", "+421905000002", first_name="x" * 100)  # 460: 4 parts
    sms_contact(mlist, "c@example.sk", "+421905000003", first_name="Ján")  # UCS-2: 6 parts
    quota.top_up(db.session, 10)
    campaign = sms_campaign(mlist, text="a" * 360 + "{{ first_name }}")
    start(campaign.id)
    assert quota.balance(db.session) == quota.Balance(7, 3)
    worker()
    result = states(campaign.id)
    assert result[MOBILE][:2] == (DeliveryState.SENT, 3)
    assert result["+421905000002"][0] == DeliveryState.SKIPPED
    assert result["+421905000002"][2] == "the merged text needs 4 parts (at most 3)"
    assert result["+421905000003"][2] == "the merged text needs 6 parts (at most 3)"


def test_the_picked_phone_field_is_used(app, worker, mlist):
    sms_contact(mlist, "a@example.sk", "+421905000001", mobile="+421905000011")
    sms_contact(mlist, "b@example.sk", "+421905000002")  # no mobile: not a recipient
    quota.top_up(db.session, 10)
    campaign = sms_campaign(mlist, text="Hi", sms_phone_field="mobile")
    assert start(campaign.id) == 1
    worker()
    assert list(states(campaign.id)) == ["+421905000011"]


def test_a_start_the_quota_cannot_cover_is_refused_and_leaves_nothing(app, mlist):
    sms_contact(mlist, "a@example.sk", MOBILE)
    sms_contact(mlist, "b@example.sk", "+421905000002")
    quota.top_up(db.session, 1)
    db.session.commit()
    campaign = sms_campaign(mlist, text="Hi")
    with pytest.raises(drafts.CampaignError, match="2 parts needed, 1 available"):
        sms.start_campaign(db.session, campaign.id)
    db.session.rollback()
    assert states(campaign.id) == {}
    assert db.session.get(Campaign, campaign.id).status == CampaignStatus.DRAFT
    assert quota.balance(db.session) == quota.Balance(1, 0)


def test_through_smpp_with_throttling_deferred(app_config, smpp_server, request):
    app_config["SMS_GATEWAYS"] = {"operator": smpp_server.url + "?source=%2B421900000000"}
    app_config["SEND_RETRY_BASE_SECONDS"] = 3600
    request.getfixturevalue("app")
    worker = request.getfixturevalue("worker")
    mlist = lists.create_list(db.session, "Phones", optin="single")
    sms_contact(mlist, "a@example.sk", MOBILE)
    sms_contact(mlist, "b@example.sk", "+421905000002")
    quota.top_up(db.session, 10)
    campaign = sms_campaign(mlist, text="Čau {{ first_name }}! " + "x" * 70,
                            gateway="operator", sms_sender="Shop")
    smpp_server.statuses.extend([0, 0, consts.SMPP_ESME_RTHROTTLED])
    start(campaign.id)
    worker()
    result = states(campaign.id)
    assert result[MOBILE][0] == DeliveryState.SENT
    assert result["+421905000002"][0] == DeliveryState.DEFERRED
    assert "0x58" in result["+421905000002"][2]
    first, second = smpp_server.submits[:2]
    assert (first.data_coding, first.esm_class, first.source_addr) == (8, 0x40, "Shop")
    assert first.short_message[4:6] == b"\x02\x01" and second.short_message[4:6] == b"\x02\x02"
    db.session.expire_all()
    assert quota.balance(db.session) == quota.Balance(6, 4)  # 2 held for the deferred one
    lifecycle.cancel_campaign(db.session, campaign.id)
    db.session.commit()
    assert quota.balance(db.session) == quota.Balance(8, 0)
    kinds = [(m.kind, m.amount) for m in reversed(quota.movements(db.session))]
    assert kinds == [("top_up", 10), ("reserve", 4), ("deduct", 2), ("release", 2)]


def test_the_preview_is_the_start_without_its_effects(app, mlist):
    sms_contact(mlist, "a@example.sk", MOBILE)
    sms_contact(mlist, "b@example.sk", "+421221234567")
    sms_contact(mlist, "c@example.sk", "+421905000003")
    entry(channels=[Channel.SMS], phone="+421905000003")
    quota.top_up(db.session, 1)
    db.session.commit()
    campaign = sms_campaign(mlist, text="Čau {{ first_name }}")
    shown = sms.preview(db.session, campaign.id)
    assert (shown.recipients, shown.blocked, shown.skipped, shown.messages, shown.parts) == (
        3, 1, 1, 1, 1)
    assert shown.available == 1 and shown.available_after == 0 and shown.covered
    assert shown.reasons[0][0] == "+421221234567" and "cannot receive" in shown.reasons[0][1]
    db.session.commit()
    assert states(campaign.id) == {}
    assert db.session.get(Campaign, campaign.id).status == CampaignStatus.DRAFT
    assert quota.balance(db.session) == quota.Balance(1, 0)


def test_a_number_shared_by_two_contacts_gets_one_message(app, worker, mlist):
    first = sms_contact(mlist, "a@example.sk", MOBILE)
    sms_contact(mlist, "b@example.sk", MOBILE)
    quota.top_up(db.session, 5)
    campaign = sms_campaign(mlist, text="Hi")
    assert start(campaign.id) == 1
    worker()
    (delivery,) = db.session.scalars(select(Delivery).where(
        Delivery.campaign_id == campaign.id))
    assert (delivery.contact_id, delivery.state) == (first.id, DeliveryState.SENT)


def test_the_gateway_rate_holds_across_runs(app_config, request):
    app_config["SMS_RATE_PER_MINUTE"] = 1
    request.getfixturevalue("app")
    worker = request.getfixturevalue("worker")
    mlist = lists.create_list(db.session, "Phones", optin="single")
    sms_contact(mlist, "a@example.sk", MOBILE)
    sms_contact(mlist, "b@example.sk", "+421905000002")
    quota.top_up(db.session, 5)
    campaign = sms_campaign(mlist, text="Hi")
    start(campaign.id)
    worker()  # one message now; the next one is a minute away: a rerun is scheduled
    assert sorted(s for s, _, _ in states(campaign.id).values()) == [
        DeliveryState.QUEUED, DeliveryState.SENT]
    assert db.session.get(Campaign, campaign.id).status == CampaignStatus.RUNNING
