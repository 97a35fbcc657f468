"""The outbox: ``emit`` writes one delivery row per subscribed endpoint in the caller's
transaction, so an event is reported exactly when its change is committed (and never for a
change rolled back). The ids wait in ``session.info`` until the commit; then one job per
delivery is enqueued (``newsletter.jobs.deliver_webhook``). A rollback forgets them."""

import json
import logging
import uuid

from flask import current_app
from rq import Retry
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from newsletter import queue
from newsletter.models import WebhookDelivery, WebhookEndpoint, utcnow

from .events import EVENTS, TEST

log = logging.getLogger(__name__)
PENDING_KEY = "webhook_outbox"
JOB = "newsletter.jobs.deliver_webhook"


def endpoints_for(session, event_name: str) -> list[int]:
    """The ids of the endpoints subscribed to ``event_name``; a paused one too (its
    deliveries wait for its resumption)."""
    rows = session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events)).all()
    return [endpoint_id for endpoint_id, events in rows if event_name in (events or [])]


def subscribed(session, event_name: str) -> bool:
    """Whether any endpoint wants ``event_name`` (to skip building a payload)."""
    return bool(endpoints_for(session, event_name))


def body(event_name: str, data: dict) -> str:
    """The JSON document POSTed: the same bytes on every attempt (they are signed)."""
    return json.dumps({"id": f"evt_{uuid.uuid4().hex}", "event": event_name,
                       "created_at": utcnow().isoformat(timespec="seconds") + "Z",
                       "data": data}, separators=(",", ":"), sort_keys=True, default=str)


def emit(session, event_name: str, data: dict, endpoint_ids: list[int] | None = None) -> int:
    """Record ``event_name`` with ``data`` for every endpoint subscribed to it (or
    for ``endpoint_ids``); the jobs go out after the caller's commit. Returns the number
    of deliveries written."""
    if event_name not in EVENTS and event_name != TEST:
        raise ValueError(f"unknown webhook event {event_name!r}")
    targets = endpoints_for(session, event_name) if endpoint_ids is None else endpoint_ids
    if not targets:
        return 0
    text = body(event_name, data)
    ids = session.scalars(insert(WebhookDelivery).returning(WebhookDelivery.id), [
        {"endpoint_id": endpoint_id, "event": event_name, "body": text,
         "created_at": utcnow()} for endpoint_id in targets]).all()
    session.info.setdefault(PENDING_KEY, []).extend(ids)
    return len(ids)


def enqueue(delivery_ids: list[int], retry) -> None:
    for delivery_id in delivery_ids:
        queue.enqueue(queue.TRACKING, JOB, delivery_id, job_timeout=60, retry=retry,
                      job_id=f"webhook-{delivery_id}-{uuid.uuid4().hex[:8]}")


def _retry() -> Retry | None:
    """WEBHOOK_RETRY_INTERVALS: seconds before each retry (growing: exponential
    backoff); the last attempt after them all marks the delivery failed."""
    intervals = [int(s) for s in current_app.config["WEBHOOK_RETRY_INTERVALS"]]
    return Retry(max=len(intervals), interval=intervals) if intervals else None


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    ids = session.info.pop(PENDING_KEY, None)
    if not ids:
        return
    try:
        enqueue(ids, _retry())
    except Exception:  # noqa: BLE001 - the commit stands; resuming the endpoint resends
        log.exception("webhook deliveries %s not enqueued", ids)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING_KEY, None)
