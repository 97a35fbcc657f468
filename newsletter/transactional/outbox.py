"""The send job of a transactional message is enqueued when the transaction that wrote it
commits (with the API's idempotency record, so a request that loses a race for its
Idempotency-Key sends nothing), and never for a rolled-back one. A job is enqueued with a
mark in Redis; when that enqueue fails (Redis down at that moment) the reaper finds the
message without its mark and enqueues it (``stranded``)."""

import logging
from datetime import datetime

from flask import current_app
from rq import Retry
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from newsletter import queue
from newsletter.models import TransactionalMessage, TransactionalState

log = logging.getLogger(__name__)
PENDING_KEY = "transactional_outbox"
JOB = "newsletter.jobs.send_transactional"
#: set with the job (``queue.enqueue_marked``): the message has a job that will send it
MARK = "newsletter:transactional-job:{}"


def add(session, message_id: int) -> None:
    session.info.setdefault(PENDING_KEY, []).append(message_id)


def retry() -> Retry | None:
    """TRANSACTIONAL_RETRY_INTERVALS: seconds before each retry after a temporary
    failure."""
    intervals = [int(s) for s in current_app.config["TRANSACTIONAL_RETRY_INTERVALS"]]
    return Retry(max=len(intervals), interval=intervals) if intervals else None


def enqueue(message_id: int, at: datetime | None = None) -> None:
    queue.enqueue_marked(queue.SUBSCRIBER, MARK.format(message_id), JOB, message_id, at=at,
                         job_timeout=120, retry=retry())


def stranded(session, older_than: datetime, limit: int = 1000) -> list[int]:
    """For the reaper: messages still to send, written before ``older_than``, that no job
    will send (their enqueue after the commit failed, or Redis lost the job)."""
    ids = list(session.scalars(select(TransactionalMessage.id).where(
        TransactionalMessage.state.in_((TransactionalState.QUEUED,
                                        TransactionalState.DEFERRED)),
        TransactionalMessage.created_at < older_than)
        .order_by(TransactionalMessage.id).limit(limit)))
    missing = queue.missing_marks([MARK.format(i) for i in ids])
    return [i for i in ids if MARK.format(i) in missing]


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    for message_id in session.info.pop(PENDING_KEY, None) or []:
        try:
            enqueue(message_id)
        except Exception:  # noqa: BLE001 - the commit stands; the reaper enqueues it later
            log.exception("transactional message %s not enqueued", message_id)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING_KEY, None)
