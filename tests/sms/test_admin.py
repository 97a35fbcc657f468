"""The SMS screens: the campaign form with its counter (no JavaScript needed), the tag
picker, save-time rules, the confirmation with quota before and after, the send, and the
owner's quota ledger."""

import re

from sqlalchemy import select

from newsletter.audience import lists
from newsletter.channels import sms_outbox
from newsletter.extensions import db
from newsletter.models import Campaign, CampaignStatus, Channel, Delivery
from newsletter.sms import quota
from tests.sms.test_sending import sms_contact


def make_list():
    mlist = lists.create_list(db.session, "Phones", optin="single")
    db.session.commit()
    return mlist


def form(mlist, **fields):
    return {"name": "Sale", "lists": [str(mlist.id)], "branch": "0", "phone_field": "phone",
            "gateway": "outbox", "sender": "", "text": "Ahoj {{ first_name }}!",
            "opt_out": "", "extra_recipients": "", "action": "save", **fields}


def counter(html):
    """The counter's figures as shown: {name: text} of the visible data-count elements."""
    found = re.search(r'id="sms-counter".*?</p>', html, re.S).group(0)
    shown = {}
    for name, hidden, value in re.findall(
            r'data-count="(\w+)"( hidden)?>([^<]*)', found):
        if not hidden:
            shown[name] = value.strip()
    for name in re.findall(r'data-count="(\w+)" hidden', found):
        shown.pop(name, None)
    return shown


def test_the_counter_works_without_javascript(client, login):
    login()
    mlist = make_list()
    page = client.post("/admin/campaigns/new-sms",
                       data=form(mlist, text="Dobrý deň, " + "a" * 100, action="count"))
    assert page.status_code == 200
    shown = counter(page.text)
    assert (shown["characters"], shown["parts"], shown["encoding"], shown["per_part"]) == (
        "111", "2", "UCS-2", "67")
    assert shown["forced_chars"] == "ý ň" and shown["saved"] == "1"
    assert "over" not in shown
    page = client.post("/admin/campaigns/new-sms", data=form(
        mlist, text="Dobrý deň, " + "a" * 100, transliterate="y", action="count"))
    folded = counter(page.text)
    assert (folded["parts"], folded["encoding"], folded["per_part"]) == ("1", "GSM-7", "160")
    assert 'data-count="forced" hidden' in page.text and folded["saved"] == "1"
    assert db.session.scalar(select(Campaign)) is None  # counting saves nothing


def test_the_tag_picker_adds_a_tag_without_javascript(client, login):
    login()
    mlist = make_list()
    page = client.post("/admin/campaigns/new-sms",
                       data=form(mlist, text="Hi ", tag="{{ organization }}", action="tag"))
    assert page.status_code == 200 and "Hi {{ organization }}</textarea>" in page.text


def test_save_refuses_what_cannot_be_sent_and_keeps_what_was_typed(client, login):
    login()
    mlist = make_list()
    page = client.post("/admin/campaigns/new-sms", data=form(mlist, text="č" * 202))
    assert page.status_code == 422 and "needs 4 SMS parts" in page.text
    assert "č" * 202 in page.text
    page = client.post("/admin/campaigns/new-sms", data=form(mlist, text="Hi {{ x"))
    assert page.status_code == 422 and "merge tag error" in page.text
    page = client.post("/admin/campaigns/new-sms", data=form(mlist, sender="Shop"))
    assert page.status_code == 422 and "owner&#39;s permission" in page.text
    page = client.post("/admin/campaigns/new-sms", data=form(mlist, extra_recipients="0905 1"))
    assert page.status_code == 422 and "phone numbers with a country code: 0905 1" in page.text
    page = client.post("/admin/campaigns/new-sms", data=form(mlist, gateway="nope"))
    assert page.status_code == 422
    assert db.session.scalar(select(Campaign)) is None


def test_save_and_edit(client, login):
    login()
    mlist = make_list()
    response = client.post("/admin/campaigns/new-sms",
                           data=form(mlist, extra_recipients="+421 905 123 456"))
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.channel, campaign.sms_text, campaign.extra_recipients) == (
        Channel.SMS, "Ahoj {{ first_name }}!", "+421905123456")
    page = client.get(f"/admin/campaigns/{campaign.id}")
    assert "Ahoj {{ first_name }}!" in page.text and "Send…" in page.text
    edit = client.get(f"/admin/campaigns/{campaign.id}/sms")
    assert "Ahoj {{ first_name }}!</textarea>" in edit.text
    assert client.post(f"/admin/campaigns/{campaign.id}/sms",
                       data=form(mlist, text="New")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).sms_text == "New"


def test_confirmation_shows_quota_before_and_after_then_sends(client, login):
    login()
    mlist = make_list()
    sms_contact(mlist, "a@example.sk", "+421905123456")
    sms_contact(mlist, "b@example.sk", "+421905000002")
    client.post("/admin/campaigns/new-sms", data=form(mlist))
    campaign = db.session.scalar(select(Campaign))
    refused = client.post(f"/admin/campaigns/{campaign.id}/send")  # not confirmed
    assert refused.status_code == 302 and db.session.scalar(select(Delivery)) is None
    quota.top_up(db.session, 1)
    db.session.commit()
    page = client.post(f"/admin/campaigns/{campaign.id}/sms-confirm")
    assert page.status_code == 200 and "cannot cover 2 parts (1 available)" in page.text
    assert "Yes, send" not in page.text
    quota.top_up(db.session, 9)
    db.session.commit()
    page = client.post(f"/admin/campaigns/{campaign.id}/sms-confirm")
    assert 'data-confirm="messages">2<' in page.text and 'data-confirm="parts">2<' in page.text
    assert 'data-confirm="available">10<' in page.text and 'data-confirm="after">8<' in page.text
    assert db.session.scalar(select(Delivery)) is None  # the confirmation changed nothing
    sent = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"})
    assert sent.status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == CampaignStatus.RUNNING
    assert quota.balance(db.session) == quota.Balance(8, 2)


def test_the_quota_ledger_is_for_owners(client, login):
    login("editor")
    assert client.get("/admin/sms/quota").status_code == 403
    assert client.post("/admin/sms/quota/top-up", data={"amount": "5"}).status_code == 403


def test_owner_tops_up_and_allows_named_senders(client, login):
    owner = login("owner")
    bad = client.post("/admin/sms/quota/top-up", data={"amount": "0", "note": "x"})
    assert bad.status_code == 422
    assert client.post("/admin/sms/quota/top-up",
                       data={"amount": "500", "note": "invoice 7"}).status_code == 302
    page = client.get("/admin/sms/quota")
    assert 'data-balance="available">500<' in page.text
    assert "invoice 7" in page.text and owner.email in page.text and "Top-up" in page.text
    assert client.post("/admin/sms/settings", data={"alphanumeric_sender": "y"}).status_code == 302
    assert quota.alphanumeric_sender_allowed(db.session)
    mlist = make_list()
    assert client.post("/admin/campaigns/new-sms",
                       data=form(mlist, sender="Shop")).status_code == 302


def test_test_send_to_numbers_is_charged_to_the_quota(app, client, login, worker):
    login()
    mlist = make_list()
    client.post("/admin/campaigns/new-sms", data=form(mlist, text="Ahoj {{ first_name }}"))
    campaign = db.session.scalar(select(Campaign))
    page = client.get(f"/admin/campaigns/{campaign.id}/test")
    assert "phone numbers with their country code" in page.text
    refused = client.post(f"/admin/campaigns/{campaign.id}/test",
                          data={"addresses": "+421905123456", "contact": ""})
    assert refused.status_code == 422 and "quota cannot cover the test" in refused.text
    quota.top_up(db.session, 5)
    db.session.commit()
    bad = client.post(f"/admin/campaigns/{campaign.id}/test",
                      data={"addresses": "+421905123456, 0905 111 222", "contact": ""})
    assert bad.status_code == 422 and "needs a country code" in bad.text
    sent = client.post(f"/admin/campaigns/{campaign.id}/test",
                       data={"addresses": "+421905123456, +421905000002", "contact": ""})
    assert sent.status_code == 302
    worker()
    outbox = sms_outbox.list_messages(app.config["SMS_OUTBOX_DIR"])
    assert sorted(m["to"] for m in outbox) == ["+421905000002", "+421905123456"]
    assert {m["text"] for m in outbox} == {"Ahoj Jana"}
    assert quota.balance(db.session) == quota.Balance(3, 0)
    assert [m.note for m in quota.movements(db.session)][:2] == [
        "test to +421905000002", "test to +421905123456"]


def test_the_recipients_check_says_which_numbers_are_skipped(client, login):
    login()
    mlist = make_list()
    sms_contact(mlist, "a@example.sk", "+421905123456")
    sms_contact(mlist, "b@example.sk", "+421221234567")  # a landline
    client.post("/admin/campaigns/new-sms", data=form(mlist))
    campaign = db.session.scalar(select(Campaign))
    page = client.get(f"/admin/campaigns/{campaign.id}/recipients-check")
    assert page.status_code == 200
    row = re.search(r'<tr data-address="\+421221234567">.*?</tr>', page.text, re.S).group(0)
    assert "skipped: phone &#39;+421221234567&#39; cannot receive SMS" in row
    ok = re.search(r'<tr data-address="\+421905123456">.*?</tr>', page.text, re.S).group(0)
    assert "reachable" in ok
