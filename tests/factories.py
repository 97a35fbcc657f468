"""Small builders for test data, going through the same domain functions as the app."""

import socket
from contextlib import contextmanager

import redis

from newsletter import queue
from newsletter.audience import lists
from newsletter.campaigns import drafts
from newsletter.extensions import db


def list_with_contacts(*emails: str, name: str = "Weekly"):
    mlist = lists.create_list(db.session, name)
    for email in emails:
        lists.add_contact_to_list(db.session, mlist.id, email, first_name="Test")
    db.session.commit()
    return mlist


def draft(mlist, subject: str = "Hello", body: str = "Hi there,\nnews inside.\n",
          sender_id: int | None = None):
    campaign = drafts.save_campaign(
        db.session, None, name="Test campaign", subject=subject, body_text=body,
        list_ids=[mlist.id], sender_id=sender_id,
    )
    db.session.commit()
    return campaign


def composed(mlist, blocks: list[dict], subject: str = "Hello {{ first_name }}", **fields):
    """A draft written with the composer (blocks, theme, language...)."""
    from newsletter.content import composer

    draft = composer.Draft(name="Composed", subject=subject, list_ids=[mlist.id],
                           sender_id=None, theme_id=fields.pop("theme_id", None),
                           template="blank", blocks=blocks, body_text="", text_edited=False,
                           **fields)
    campaign = composer.save_draft(db.session, None, draft)
    db.session.commit()
    return campaign


def tested(campaign):
    """Mark a draft as test-sent, so sending does not ask for confirmation."""
    from newsletter.models import utcnow

    campaign.tested_at = utcnow()
    db.session.commit()
    return campaign


@contextmanager
def redis_down(app):
    """Point the app's Redis (and so its queues) at a port where nothing listens, as when
    Redis is down for a moment; the real connection comes back afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    real = queue.get_redis()
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=port,
                                          socket_connect_timeout=1)
    try:
        yield
    finally:
        app.extensions["redis"] = real
