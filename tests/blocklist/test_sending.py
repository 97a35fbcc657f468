"""The block list where sending happens: at start, and again when a worker claims a batch,
so an entry added mid-campaign stops the remaining sends. Real worker, real SMTP server."""

from sqlalchemy import select, update

from newsletter import jobs
from newsletter.blocklist import entries, matching
from newsletter.campaigns import lifecycle, progress
from newsletter.extensions import db
from newsletter.models import Channel, Delivery, DeliveryState
from tests.factories import list_with_contacts

from .world import campaign_for, entry, firm_audience, make_world, recipient


def _states() -> dict[str, tuple[str, int | None]]:
    db.session.expire_all()
    return {d.address: (d.state, d.blocked_by_id) for d in db.session.scalars(select(Delivery))}


def test_entry_added_after_start_stops_the_remaining_sends(app, worker, smtp_server):
    campaign = campaign_for(firm_audience(make_world()))
    assert lifecycle.start_campaign(db.session, campaign.id) == 3
    db.session.commit()
    assert {s for s, _ in _states().values()} == {DeliveryState.QUEUED}

    late = entry(organization="XXX", note="called in after the start")
    jobs.enqueue_send(campaign.id)
    worker()

    assert [m.rcpt_tos for m in smtp_server.messages] == [["jana@home.sk"]]
    assert _states() == {"jana@xxx.sk": ("blocked", late.id),
                         "office@xxx.sk": ("blocked", late.id),
                         "jana@home.sk": ("sent", None)}
    assert progress.delivery_counts(db.session, campaign.id)["blocked"] == 2
    db.session.refresh(campaign)
    assert campaign.status == "finished"


def test_claim_time_check_covers_only_the_given_pending_ids(app):
    world = make_world()
    mlist = list_with_contacts(name="Customers")
    a = recipient(mlist, "a@xxx.sk", "+421900000001", organization=world.xxx)
    recipient(mlist, "b@xxx.sk", "+421900000002", organization=world.xxx)
    recipient(mlist, "c@xxx.sk", "+421900000003", organization=world.xxx)
    campaign = campaign_for(mlist, Channel.SMS)
    lifecycle.start_campaign(db.session, campaign.id)
    ids = {d.address: d.id for d in db.session.scalars(select(Delivery))}
    db.session.execute(update(Delivery).where(Delivery.address == "+421900000002")
                       .values(state=DeliveryState.SENT))
    db.session.execute(update(Delivery).where(Delivery.address == "+421900000003")
                       .values(state=DeliveryState.DEFERRED))
    db.session.commit()
    rule = entry(channels=[Channel.SMS], organization="XXX")

    assert matching.mark_blocked(db.session, campaign.id, []) == 0
    assert matching.mark_blocked(db.session, campaign.id, [ids["+421900000001"]]) == 1
    assert _states()["+421900000003"] == ("deferred", None)
    assert matching.mark_blocked(db.session, campaign.id) == 1  # the deferred one
    assert _states() == {"+421900000001": ("blocked", rule.id),
                         "+421900000002": ("sent", None),
                         "+421900000003": ("blocked", rule.id)}
    assert a.phone == "+421900000001"


def test_blocked_delivery_keeps_showing_after_its_entry_is_deleted(app, client, login):
    login()
    world = make_world()
    mlist = list_with_contacts(name="Customers")
    recipient(mlist, "jana@xxx.sk", "+421900000001", organization=world.xxx)
    rule = entry(organization="XXX")
    campaign = campaign_for(mlist)
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    entries.delete_entry(db.session, rule.id)
    db.session.commit()
    assert _states() == {"jana@xxx.sk": ("blocked", None)}
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "an entry since deleted" in page.split('id="blocked"')[1]
