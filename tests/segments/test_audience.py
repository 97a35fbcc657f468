"""A segment as a campaign's audience: it narrows the lists' recipients when the campaign
starts; subscriptions, the block list and suppression still apply as for lists."""

import pytest
from sqlalchemy import select

from newsletter.blocklist import entries
from newsletter.campaigns import drafts, lifecycle, recipients
from newsletter.extensions import db
from newsletter.models import Channel, Contact, Delivery
from newsletter.segments import segments
from newsletter.segments.conditions import SegmentError
from tests.sending.helpers import start

from .world import build

BRATISLAVA = {"match": "all", "groups": [{"match": "any", "conditions": [
    {"kind": "attribute", "op": "equals", "key": "city", "value": "Bratislava"},
    {"kind": "clicked_recently", "op": "yes", "value": "30"}]}]}


def states(campaign_id: int) -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(Delivery.address, Delivery.state).where(
        Delivery.campaign_id == campaign_id)).all())


@pytest.fixture
def world(app):
    return build()


def _campaign(world, segment_id, list_ids=None):
    campaign = drafts.save_campaign(
        db.session, None, name="Local", subject="Hello", body_text="Hi there", sender_id=None,
        list_ids=list_ids or [world.news], segment_id=segment_id)
    db.session.commit()
    return campaign


def test_segment_narrows_the_lists_and_the_block_list_still_applies(world, worker,
                                                                     smtp_server):
    segment = segments.save_segment(db.session, None, name="Bratislava", description="",
                                    definition=BRATISLAVA)
    entries.save_entry(db.session, None, entries.EntryData(email="eve@example.com",
                                                           channels=[Channel.EMAIL]))
    db.session.commit()
    campaign = _campaign(world, segment.id)
    # dan is in Bratislava but left News; bob is on News but in Praha
    assert recipients.count_recipients(db.session, campaign.id) == 2
    check = recipients.check_recipients(db.session, campaign.id)
    assert (check.total, check.blocked) == (2, 1)
    assert start(campaign) == 2
    worker()
    assert states(campaign.id) == {"ann@example.com": "sent", "eve@example.com": "blocked"}
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ann@example.com"]]


def test_segment_is_evaluated_when_the_campaign_starts(world):
    segment = segments.save_segment(db.session, None, name="Bratislava", description="",
                                    definition=BRATISLAVA)
    campaign = _campaign(world, segment.id)
    bob = db.session.scalar(select(Contact).where(Contact.email == "bob@example.com"))
    bob.attributes = {"city": "Bratislava"}  # moved after the campaign was written
    db.session.commit()
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    assert sorted(states(campaign.id)) == [
        "ann@example.com", "bob@example.com", "eve@example.com"]


def test_segment_list_conditions_combine_with_the_campaign_lists(world):
    """Offers minus News: a segment can subtract a list from the campaign's lists."""
    segment = segments.save_segment(db.session, None, name="Only offers", description="",
                                    definition={"match": "all", "groups": [{
                                        "match": "all", "conditions": [{
                                            "kind": "list", "op": "not_member",
                                            "value": "News"}]}]})
    campaign = _campaign(world, segment.id, list_ids=[world.offers])
    assert start(campaign) == 1
    assert list(states(campaign.id)) == ["cyd@example.com"]


def test_a_segment_in_use_cannot_be_deleted(world):
    segment = segments.save_segment(db.session, None, name="Bratislava", description="",
                                    definition=BRATISLAVA)
    campaign = _campaign(world, segment.id)
    with pytest.raises(SegmentError, match="audience of 'Local'"):
        segments.delete_segment(db.session, segment.id)
    db.session.rollback()
    drafts.save_campaign(db.session, campaign.id, name="Local", subject="Hello",
                         body_text="Hi", list_ids=[world.news], sender_id=None)
    segments.delete_segment(db.session, segment.id)
    db.session.commit()
    assert segments.list_segments(db.session) == []


def test_saving_refuses_a_bad_definition_and_an_unknown_segment(world):
    with pytest.raises(SegmentError, match="No list"):
        segments.save_segment(db.session, None, name="Bad", description="", definition={
            "match": "all", "groups": [{"match": "all", "conditions": [
                {"kind": "list", "op": "member", "value": "Missing"}]}]})
    db.session.rollback()
    with pytest.raises(drafts.CampaignError, match="segment does not exist"):
        _campaign(world, 999)


def test_saved_names_become_numbers_and_a_missing_list_stops_the_start(world):
    from newsletter.models import MailingList

    on_offers = {"match": "all", "groups": [{"match": "all", "conditions": [
        {"kind": "list", "op": "member", "value": "Offers"}]}]}
    segment = segments.save_segment(db.session, None, name="Offers", description="",
                                    definition=on_offers)
    db.session.commit()
    offers = db.session.get(MailingList, world.offers)
    offers.name = "Special offers"
    db.session.commit()
    assert segments.count(db.session, segment.definition) == 2  # bob, cyd
    campaign = _campaign(world, segment.id)
    segment.definition = {"match": "all", "groups": [{"match": "all", "conditions": [
        {"kind": "list", "op": "member", "value": "#999"}]}]}  # a list no longer there
    db.session.commit()
    with pytest.raises(drafts.CampaignError, match="segment “Offers” cannot be evaluated"):
        lifecycle.start_campaign(db.session, campaign.id)


def test_an_ambiguous_name_asks_for_the_number(world):
    from newsletter.audience import lists

    lists.create_list(db.session, "News")
    with pytest.raises(SegmentError, match="Several lists are called 'News'"):
        segments.count(db.session, {"match": "all", "groups": [{"match": "all", "conditions": [
            {"kind": "list", "op": "member", "value": "News"}]}]})
