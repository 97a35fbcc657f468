"""The SMS quota ledger: top-up, reserve at start, deduct per part, release the unsent; never
below zero, also when campaigns start at the same moment."""

import threading

import pytest
from sqlalchemy import select, text

from newsletter.extensions import db
from newsletter.models import Campaign, QuotaMovementKind, SmsAccount, SmsQuotaMovement
from newsletter.sms import quota


def make_campaign(name="SMS"):
    campaign = Campaign(name=name, channel="sms", sms_text="Hi")
    db.session.add(campaign)
    db.session.commit()
    return campaign.id


def kinds():
    return [(m.kind, m.amount, m.available_after, m.reserved_after)
            for m in reversed(quota.movements(db.session))]


def test_top_up_reserve_deduct_release(app):
    campaign_id = make_campaign()
    assert quota.balance(db.session) == quota.Balance(0, 0)
    quota.top_up(db.session, 100, "order 17", "owner@example.com")
    quota.reserve(db.session, campaign_id, 30)
    quota.deduct(db.session, campaign_id, 2)
    quota.deduct(db.session, campaign_id, 3)
    assert quota.release_unsent(db.session, campaign_id) == 25
    assert quota.release_unsent(db.session, campaign_id) == 0
    db.session.commit()
    assert quota.balance(db.session) == quota.Balance(95, 0)
    assert kinds() == [("top_up", 100, 100, 0), ("reserve", 30, 70, 30), ("deduct", 2, 70, 28),
                       ("deduct", 3, 70, 25), ("release", 25, 95, 0)]
    campaign = db.session.get(Campaign, campaign_id)
    assert (campaign.sms_parts_reserved, campaign.sms_parts_used) == (5, 5)
    first = quota.movements(db.session)[-1]
    assert (first.note, first.actor) == ("order 17", "owner@example.com")
    assert quota.movement_count(db.session) == 5


def test_a_reservation_the_quota_cannot_cover_is_refused_whole(app):
    campaign_id = make_campaign()
    quota.top_up(db.session, 10)
    with pytest.raises(quota.QuotaExceeded, match="11 parts needed, 10 available") as info:
        quota.reserve(db.session, campaign_id, 11)
    assert (info.value.needed, info.value.available) == (11, 10)
    db.session.commit()
    assert quota.balance(db.session) == quota.Balance(10, 0)
    assert [k[0] for k in kinds()] == ["top_up"]
    assert db.session.get(Campaign, campaign_id).sms_parts_reserved == 0


def test_a_longer_merged_text_takes_its_shortfall_from_the_quota(app):
    campaign_id = make_campaign()
    quota.top_up(db.session, 5)
    quota.reserve(db.session, campaign_id, 2)
    quota.deduct(db.session, campaign_id, 3)  # one part more than reserved
    assert quota.balance(db.session) == quota.Balance(2, 0)
    with pytest.raises(quota.QuotaExceeded):
        quota.deduct(db.session, campaign_id, 3)
    assert quota.balance(db.session) == quota.Balance(2, 0)


@pytest.mark.parametrize("amount", [0, -5, quota.TOP_UP_MAX + 1])
def test_top_up_takes_a_sensible_amount(app, amount):
    with pytest.raises(quota.QuotaError, match="whole number of parts"):
        quota.top_up(db.session, amount)


def test_the_database_itself_refuses_a_negative_balance(app):
    quota.ensure_account(db.session)
    db.session.commit()
    with pytest.raises(Exception, match="(?i)check"):
        db.session.execute(text("UPDATE sms_account SET available = -1"))
        db.session.flush()
    db.session.rollback()


def _start_together(app, campaign_ids, parts):
    """Reserve for every campaign at once, one thread and database session each."""
    barrier = threading.Barrier(len(campaign_ids))
    outcomes: dict[int, str] = {}

    def start(campaign_id):
        with app.app_context():
            barrier.wait()
            try:
                quota.reserve(db.session, campaign_id, parts)
                db.session.commit()
                outcomes[campaign_id] = "reserved"
            except quota.QuotaExceeded:
                db.session.rollback()
                outcomes[campaign_id] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=start, args=(c,)) for c in campaign_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_two_campaigns_starting_together_cannot_overdraw(app):
    for _round in range(3):
        db.session.execute(text("DELETE FROM sms_quota_movement"))
        db.session.execute(text("DELETE FROM sms_account"))
        db.session.commit()
        first, second = make_campaign("A"), make_campaign("B")
        quota.top_up(db.session, 100)
        db.session.commit()
        outcomes = _start_together(app, [first, second], 60)
        assert sorted(outcomes.values()) == ["refused", "reserved"]
        db.session.expire_all()
        assert quota.balance(db.session) == quota.Balance(40, 60)
        reservations = db.session.scalars(select(SmsQuotaMovement).where(
            SmsQuotaMovement.kind == QuotaMovementKind.RESERVE)).all()
        winner = next(c for c, o in outcomes.items() if o == "reserved")
        assert [(m.campaign_id, m.available_after) for m in reservations] == [(winner, 40)]


def test_many_campaigns_at_once_take_exactly_what_there_is(app):
    campaign_ids = [make_campaign(f"C{i}") for i in range(6)]
    quota.top_up(db.session, 100)
    db.session.commit()
    outcomes = _start_together(app, campaign_ids, 30)
    assert list(outcomes.values()).count("reserved") == 3
    db.session.expire_all()
    account = db.session.get(SmsAccount, quota.ACCOUNT_ID)
    assert (account.available, account.reserved) == (10, 90)
    afters = sorted(m.available_after for m in quota.movements(db.session)
                    if m.kind == QuotaMovementKind.RESERVE)
    assert afters == [10, 40, 70]
