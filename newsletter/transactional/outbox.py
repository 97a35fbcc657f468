"""The send job of a transactional message is enqueued when the transaction that wrote it
commits (with the API's idempotency record, so a request that loses a race for its
Idempotency-Key sends nothing), and never for a rolled-back one."""

import logging
from datetime import datetime

from flask import current_app
from rq import Retry
from sqlalchemy import event
from sqlalchemy.orm import Session

from newsletter import queue

log = logging.getLogger(__name__)
PENDING_KEY = "transactional_outbox"
JOB = "newsletter.jobs.send_transactional"


def add(session, message_id: int) -> None:
    session.info.setdefault(PENDING_KEY, []).append(message_id)


def retry() -> Retry | None:
    """TRANSACTIONAL_RETRY_INTERVALS: seconds before each retry after a temporary
    failure."""
    intervals = [int(s) for s in current_app.config["TRANSACTIONAL_RETRY_INTERVALS"]]
    return Retry(max=len(intervals), interval=intervals) if intervals else None


def enqueue(message_id: int, at: datetime | None = None) -> None:
    if at is None:
        queue.enqueue(queue.SUBSCRIBER, JOB, message_id, job_timeout=120, retry=retry())
    else:
        queue.enqueue_at(queue.SUBSCRIBER, at, JOB, message_id, job_timeout=120,
                         retry=retry())


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    for message_id in session.info.pop(PENDING_KEY, None) or []:
        try:
            enqueue(message_id)
        except Exception:  # noqa: BLE001 - the commit stands; the admin log shows it queued
            log.exception("transactional message %s not enqueued", message_id)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING_KEY, None)
