"""Local-time delivery: each recipient's message waits for 09:00 in their zone (profile,
imported field, phone's country, else the editor's account), the claims skip what is not
due, the status tab says what waits for which hour, and everything goes once the clock
(moved by the test, not waited for) passes each hour."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from newsletter import jobs, queue
from newsletter.campaigns import lifecycle, localtime
from newsletter.extensions import db
from newsletter.models import Campaign, CampaignStatus, Contact, Delivery, DeliveryState
from newsletter.platform import clock
from newsletter.sending import claims
from tests.factories import composed, list_with_contacts
from tests.tracking.helpers import BLOCKS

START = datetime(2026, 12, 1, 6, 0)  # UTC: 07:00 in Bratislava, 01:00 in New York


@pytest.fixture(autouse=True)
def _clock():
    clock.advance(START - clock.now())
    yield
    clock.reset()


def _at(moment: datetime) -> None:
    clock.advance(moment - clock.now())


def _contacts():
    mlist = list_with_contacts("ny@example.com", "tokyo@example.com", "sk@example.com",
                               "editor-zone@example.com", name="World")
    contacts = {c.email: c for c in db.session.scalars(select(Contact))}
    contacts["ny@example.com"].time_zone = "America/New_York"  # chosen on the profile
    contacts["tokyo@example.com"].attributes = {"time_zone": "Asia/Tokyo"}  # imported
    contacts["sk@example.com"].phone = "+421905123456"  # the phone's country
    db.session.commit()
    return mlist


def _sent() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Delivery.address).where(
        Delivery.state == DeliveryState.SENT)))


def _send_jobs(worker):
    """What a rerun (or the reaper) does when an hour comes: start the campaign's jobs."""
    campaign_id = db.session.scalar(select(Campaign.id))
    jobs.enqueue_send(campaign_id)
    worker()


def test_each_recipient_gets_it_at_nine_in_their_zone(client, login, worker, smtp_server):
    editor = login()
    editor.time_zone = "Europe/Lisbon"
    db.session.commit()
    campaign = composed(_contacts(), BLOCKS)
    campaign.created_by_id = editor.id
    db.session.commit()
    response = client.post(f"/admin/campaigns/{campaign.id}/local-time",
                           data={"local_send_time": "09:00"})
    assert response.status_code == 302, response.text
    db.session.expire_all()  # the request saved it through its own session

    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    due = {d.address: (d.not_before, d.local_zone) for d in db.session.scalars(
        select(Delivery).where(Delivery.campaign_id == campaign.id))}
    assert due == {
        "sk@example.com": (datetime(2026, 12, 1, 8, 0), "Europe/Bratislava"),
        "editor-zone@example.com": (datetime(2026, 12, 1, 9, 0), "Europe/Lisbon"),
        "ny@example.com": (datetime(2026, 12, 1, 14, 0), "America/New_York"),
        # 09:00 in Tokyo was at 00:00 UTC, before the start: the next day's
        "tokyo@example.com": (datetime(2026, 12, 2, 0, 0), "Asia/Tokyo"),
    }
    jobs.enqueue_send(campaign.id)
    worker()
    assert _sent() == [] and smtp_server.messages == []
    # the run that found nothing due scheduled a rerun for the first hour (Bratislava's),
    # on the wall clock RQ schedules by
    rerun = int(queue.get_redis().get(jobs.RERUN_KEY.format(campaign.id)))
    first_hour = datetime(2026, 12, 1, 8, 0) - clock.offset()
    assert abs(rerun - first_hour.replace(tzinfo=UTC).timestamp()) <= 1
    assert claims.claim_batch(db.session, campaign.id, "probe", 10, 60) == []
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert 'id="local-waiting"' in page
    for zone in ("Europe/Bratislava", "Europe/Lisbon", "America/New_York", "Asia/Tokyo"):
        assert zone in page
    assert "2026-12-01 09:00" in page and "2026-12-02 09:00" in page
    waits = localtime.waiting(db.session, campaign.id)
    assert [(w.local.hour, w.zone, w.count) for w in waits] == [
        (9, "Europe/Bratislava", 1), (9, "Europe/Lisbon", 1), (9, "America/New_York", 1),
        (9, "Asia/Tokyo", 1)]

    _at(datetime(2026, 12, 1, 8, 0, 30))
    _send_jobs(worker)
    assert _sent() == ["sk@example.com"]
    _at(datetime(2026, 12, 1, 14, 1))
    _send_jobs(worker)
    assert _sent() == ["editor-zone@example.com", "ny@example.com", "sk@example.com"]
    assert db.session.get(Campaign, campaign.id).status == CampaignStatus.RUNNING
    _at(datetime(2026, 12, 2, 0, 1))
    _send_jobs(worker)
    assert len(_sent()) == 4
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == _sent()  # once each
    assert db.session.get(Campaign, campaign.id).status == CampaignStatus.FINISHED
    assert localtime.waiting(db.session, campaign.id) == []


def test_the_run_that_finds_nothing_due_says_when_to_come_back(app, worker):
    campaign = composed(_contacts(), BLOCKS)
    campaign.local_send_time = "09:00"
    db.session.commit()
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    # the first hour is Bratislava's 09:00 (08:00 UTC), two hours from the clock's now;
    # on the wall clock RQ schedules by, that is two hours from the real now
    wall = claims.next_due(db.session, campaign.id)
    assert abs(wall + clock.offset() - datetime(2026, 12, 1, 8, 0)) < timedelta(seconds=1)


@pytest.mark.parametrize("value", ["9am", "25:00", "09:60", "9"])
def test_a_bad_hour_rerenders_with_the_error(client, login, value):
    login()
    campaign = composed(list_with_contacts("a@example.com"), BLOCKS)
    response = client.post(f"/admin/campaigns/{campaign.id}/local-time",
                           data={"local_send_time": value})
    assert response.status_code == 422
    assert "Give the hour as HH:MM" in response.text and f'value="{value}"' in response.text
    assert db.session.get(Campaign, campaign.id).local_send_time == ""


def test_zone_rules():
    assert localtime.zone_of("Europe/Prague", {"time_zone": "Asia/Tokyo"}, None,
                             "UTC") == "Europe/Prague"
    assert localtime.zone_of("Mars/Base", {"tz": "Asia/Tokyo"}, None, "UTC") == "Asia/Tokyo"
    assert localtime.zone_of(None, {}, "+12125550100", "UTC") == "America/New_York"
    # an Australian mobile names several zones: the fallback decides
    assert localtime.zone_of(None, {}, "+61412345678", "Europe/Vienna") == "Europe/Vienna"


def test_an_ab_wait_starts_when_the_sample_s_last_hour_has_come(app):
    from newsletter.campaigns import abtest

    campaign = composed(_contacts(), BLOCKS)
    campaign.local_send_time = "09:00"
    abtest.configure(db.session, campaign.id, subjects=["A", "B"], sample_percent=50,
                     wait_minutes=60, metric="clicks")
    db.session.commit()
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    sample_hours = db.session.scalars(select(Delivery.not_before).where(
        Delivery.variant.is_not(None))).all()
    assert len(sample_hours) == 2
    test = abtest.get_test(db.session, campaign.id)
    assert test.decide_at == max(sample_hours) + timedelta(minutes=60)
