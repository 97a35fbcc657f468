from email import message_from_bytes, policy

from sqlalchemy import select

from newsletter import jobs
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from newsletter.models import Delivery


def start(campaign) -> int:
    created = lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    return created


def states() -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(Delivery.address, Delivery.state)).all())


def parse(received):
    return message_from_bytes(received.data, policy=policy.default)
