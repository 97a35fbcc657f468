"""The outbox: ``emit`` writes one delivery row per subscribed endpoint in the caller's
transaction, so an event is reported exactly when its change is committed (and never for a
change rolled back). The ids wait in ``session.info`` until the commit; then one job per
delivery is enqueued (``newsletter.jobs.deliver_webhook``) with a mark in Redis; the reaper
enqueues pending deliveries without one (``stranded``). A rollback forgets them."""

import json
import logging
import uuid
from datetime import datetime

from flask import current_app
from rq import Retry
from sqlalchemy import event, insert, or_, select
from sqlalchemy.orm import Session

from newsletter import queue
from newsletter.models import (
    WebhookDelivery,
    WebhookDeliveryState,
    WebhookEndpoint,
    utcnow,
)

from .events import EVENTS, TEST

log = logging.getLogger(__name__)
PENDING_KEY = "webhook_outbox"
JOB = "newsletter.jobs.deliver_webhook"
#: set with the job (``queue.enqueue_marked``): the delivery has a job that will make it
MARK = "newsletter:webhook-job:{}"


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
        queue.enqueue_marked(queue.TRACKING, MARK.format(delivery_id), JOB, delivery_id,
                             job_timeout=60, retry=retry,
                             job_id=f"webhook-{delivery_id}-{uuid.uuid4().hex[:8]}")


def stranded(session, older_than: datetime, limit: int = 1000) -> list[int]:
    """For the reaper: pending deliveries written before ``older_than`` to an endpoint
    that is not paused (or a test event), that no job will deliver (their enqueue after
    the commit failed, or Redis lost the job)."""
    ids = list(session.scalars(
        select(WebhookDelivery.id).join(WebhookEndpoint,
                                        WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.state == WebhookDeliveryState.PENDING,
               WebhookDelivery.created_at < older_than,
               or_(WebhookEndpoint.paused_at.is_(None), WebhookDelivery.event == TEST))
        .order_by(WebhookDelivery.id).limit(limit)))
    missing = queue.missing_marks([MARK.format(i) for i in ids])
    return [i for i in ids if MARK.format(i) in missing]


def retry() -> Retry | None:
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
        enqueue(ids, retry())
    except Exception:  # noqa: BLE001 - the commit stands; the reaper enqueues them later
        log.exception("webhook deliveries %s not enqueued", ids)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING_KEY, None)
