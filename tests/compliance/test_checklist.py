"""The pre-send checklist and the checked start (seed 004): unsubscribe link, consent
basis, first send to a list, fresh imports."""

import pytest

from newsletter.campaigns import lifecycle
from newsletter.compliance import checklist, unsubscribe
from newsletter.compliance import start as checked
from newsletter.extensions import db
from newsletter.models import Campaign, ContactImport, Delivery
from tests.factories import composed, draft, list_with_contacts
from tests.sending.helpers import parse

from .helpers import imported_today, without_basis


def levels(campaign_id: int) -> dict[str, tuple[str, str]]:
    return {i.key: (i.level, i.message) for i in checklist.run(db.session, campaign_id).items}


def test_look_alike_unsubscribe_links_do_not_count(app):
    mlist = list_with_contacts("a@example.com")
    campaign = composed(mlist, [{"type": "text", "text":
        '<p><a href="https://shop.example.org/newsletter/odhlásiť">Odhlásiť</a> or '
        '<a href="mailto:office@shop.example.org?subject=unsubscribe">write us</a> · '
        '<a href="https://shop.example.org/news">News</a></p>'}])
    level, message = levels(campaign.id)["unsubscribe"]
    assert level == checklist.WARNING
    assert "https://shop.example.org/newsletter/" in message and "mailto:office@" in message
    assert "/news," not in message and "footer" in message


def test_platform_link_is_recognised_and_nothing_else():
    base = "https://news.example.com"
    assert unsubscribe.is_platform_link("https://news.example.com/u/abc", base)
    assert not unsubscribe.is_platform_link("https://news.example.com.evil.org/u/abc", base)
    assert not unsubscribe.is_platform_link("https://other.example/u/abc", base)
    assert unsubscribe.look_alikes("", "Abmelden: https://shop.example.de/abmelden", base)
    assert not unsubscribe.look_alikes("", "Abmelden: https://news.example.com/u/x", base)


def test_missing_unsubscribe_link_is_appended_to_the_footer_and_the_editor_told(
        client, login, worker, smtp_server):
    login()
    campaign = draft(list_with_contacts("a@example.com"), body="No link in here.\n")
    assert levels(campaign.id)["unsubscribe"][0] == checklist.NOTICE
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "unsubscribe link is appended to the footer" in response.text
    worker()
    message = parse(smtp_server.messages[0])
    text = message.get_body(("plain",)).get_content()
    assert "Unsubscribe: http://127.0.0.1:5000/u/" in text


def test_recipients_without_a_basis_are_left_out_and_counted(app, worker, smtp_server):
    mlist = list_with_contacts("a@example.com", "b@example.com")
    without_basis(mlist, "nobasis@example.com")
    campaign = draft(mlist)
    level, message = levels(campaign.id)["consent"]
    assert level == checklist.WARNING and message.startswith("1 of 3 recipients")
    with pytest.raises(checked.NeedsConfirmation, match="1 of 3"):
        checked.start(db.session, campaign.id)
    db.session.rollback()
    started = checked.start(db.session, campaign.id, confirmed=True)
    db.session.commit()
    assert (started.created, started.left_out) == (2, 1)
    assert any("1 recipient without" in n for n in started.notices)
    assert {d.address for d in db.session.query(Delivery)} == {"a@example.com",
                                                                "b@example.com"}


def test_no_recipient_with_a_basis_blocks_the_start(app):
    mlist = list_with_contacts()
    without_basis(mlist, "x@example.com")
    campaign = draft(mlist)
    assert levels(campaign.id)["consent"][0] == checklist.BLOCKING
    with pytest.raises(checked.StartRefused, match="None of the 1 recipients"):
        checked.start(db.session, campaign.id, confirmed=True)
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_first_send_to_a_never_mailed_list_warns_once(app):
    mlist = list_with_contacts("a@example.com")
    first, second = draft(mlist), draft(mlist)
    assert levels(first.id)["first_send"][0] == checklist.WARNING
    lifecycle.start_campaign(db.session, first.id)
    db.session.commit()
    assert "first_send" not in levels(second.id)


def test_contacts_imported_in_the_last_day_warn(app):
    mlist = list_with_contacts("old@example.com")
    imported_today(mlist)
    assert "fresh_import" not in levels(draft(mlist).id)  # subscribed before the import
    from newsletter.audience import lists
    lists.add_contact_to_list(db.session, mlist.id, "new@example.com")
    db.session.commit()
    level, message = levels(draft(mlist).id)["fresh_import"]
    assert level == checklist.WARNING and "1 on Weekly" in message
    db.session.query(ContactImport).delete()
    db.session.commit()
    assert "fresh_import" not in levels(draft(mlist).id)
