"""A webhook delivery written while Redis was down (its enqueue after the commit failed)
is delivered by the reaper's pass, once, signed."""

import pytest

from newsletter import jobs
from newsletter.audience import integration, lists
from newsletter.extensions import db
from tests.factories import redis_down

from .conftest import events_received


@pytest.fixture
def app_config(app_config):
    app_config["OUTBOX_GRACE_SECONDS"] = 0
    return app_config


def test_a_delivery_whose_enqueue_failed_is_made_by_the_reaper(app, endpoint, receiver,
                                                               worker):
    endpoint(events=["subscribed"])
    mlist = lists.create_list(db.session, "Weekly")
    contact = integration.create(db.session, {"email": "ana@example.com"}, "test")
    integration.subscribe(db.session, contact.id, mlist.id, source="test")
    with redis_down(app):
        db.session.commit()
    worker()
    assert receiver.requests == []
    assert len(jobs.enqueue_stranded()[1]) == 1
    worker()
    assert jobs.enqueue_stranded() == ([], [])
    worker()
    assert events_received(receiver) == ["subscribed"]
    assert receiver.requests[0].signed
