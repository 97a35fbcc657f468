"""Every RQ job: thin importable functions taking ids, each calling one domain function.
They run inside the app context that the worker pushes (see ``newsletter.worker``).
Enqueue only after the commit; every job has an explicit timeout, and a Retry where a
second run is safe."""

import imaplib
import logging
import poplib
from datetime import timedelta

from flask import current_app
from rq.job import Job, JobStatus

from newsletter.audience import notifications
from newsletter.bounces import mailbox
from newsletter.campaigns import drafts, lifecycle
from newsletter.channels.smtp import SMTPMessenger, mail_server_circuit, smtp_settings
from newsletter.imports import pipeline
from newsletter.models import utcnow
from newsletter.sending import claims, engine, testsend
from newsletter.sending.throttle import ConnectionSlots, RateLimiter
from newsletter.tracking import clicks

from . import queue
from .extensions import db

log = logging.getLogger(__name__)
REAPER_JOB_ID = "newsletter-reaper"
REAPER_INTERVAL = timedelta(seconds=60)
ACTIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def send_campaign(campaign_id: int) -> dict:
    """Send what is sendable now; reschedule itself when a limit or a deferral says later."""
    config = current_app.config
    conn = queue.get_redis()
    settings = smtp_settings(config)
    shared = engine.Shared(
        limiter=RateLimiter(conn),
        slots=ConnectionSlots(conn, settings.key, config["SMTP_MAX_CONNECTIONS"]),
        journal=conn,
        circuit=mail_server_circuit(config, conn),
    )
    result = engine.run_campaign(db.session, campaign_id, SMTPMessenger(settings),
                                  engine.SendPolicy.from_config(config), shared)
    if result.next_run_at is not None:
        _schedule_rerun(campaign_id, result.next_run_at)
    return {"sent": result.sent, "deferred": result.deferred, "failed": result.failed,
            "finished": result.finished}


def _schedule_rerun(campaign_id: int, at) -> None:
    """One rerun per campaign and moment, however many batch jobs ask for it."""
    ttl_ms = max(1000, int((at - utcnow()).total_seconds() * 1000))
    if queue.get_redis().set(f"newsletter:rerun:{campaign_id}", at.isoformat(), nx=True,
                             px=ttl_ms):
        queue.enqueue_at(queue.SENDING, at, "newsletter.jobs.send_campaign", campaign_id)


def start_scheduled(campaign_id: int) -> None:
    """The scheduled time has come: resolve recipients, then send."""
    try:
        lifecycle.start_campaign(db.session, campaign_id)
    except drafts.CampaignError as exc:
        db.session.rollback()
        log.warning("scheduled campaign %s not started: %s", campaign_id, exc)
        return
    db.session.commit()
    enqueue_send(campaign_id)


def reap() -> list[int]:
    """Every minute: start jobs for running campaigns with sendable work and no live job
    (their worker died, or Redis lost the job), and for scheduled campaigns that are due;
    poll the bounce mailbox when one is configured."""
    try:
        if current_app.config["BOUNCE_MAILBOX_URL"]:
            poll_bounce_mailbox()
        started = []
        for campaign_id in lifecycle.due_scheduled(db.session):
            start_scheduled(campaign_id)
            started.append(campaign_id)
        for campaign_id in claims.campaigns_needing_a_worker(db.session):
            if enqueue_send(campaign_id, only_if_idle=True):
                started.append(campaign_id)
        return started
    finally:
        schedule_reaper()


def poll_bounce_mailbox() -> None:
    try:
        counts = mailbox.poll(db.session, current_app.config["BOUNCE_MAILBOX_URL"],
                                     current_app.config["SOFT_BOUNCE_LIMIT"])
    except (OSError, imaplib.IMAP4.error, poplib.error_proto) as exc:
        db.session.rollback()
        log.warning("bounce mailbox not polled: %s", exc)
        return
    log.info("bounce mailbox: %s", counts)


def schedule_reaper() -> None:
    """Keep exactly one reaper scheduled (a fixed job id makes this idempotent)."""
    existing = Job.fetch(REAPER_JOB_ID, connection=queue.get_redis()) \
        if _exists(REAPER_JOB_ID) else None
    if existing is not None and existing.get_status() in {JobStatus.SCHEDULED,
                                                          JobStatus.QUEUED}:
        return
    queue.enqueue_at(queue.SENDING, utcnow() + REAPER_INTERVAL, "newsletter.jobs.reap",
                     job_id=REAPER_JOB_ID, job_timeout=300, retry=None)


def _exists(job_id: str) -> bool:
    return bool(queue.get_redis().exists(Job.key_for(job_id)))


def enqueue_send(campaign_id: int, only_if_idle: bool = False) -> bool:
    """Start the campaign's batch jobs (SEND_PARALLEL_JOBS of them, so several workers share
    the work). Claims are atomic, so an extra job never sends anything twice."""
    q = queue.get_queue(queue.SENDING)
    ids = [f"send-{campaign_id}-{n}" for n in range(current_app.config["SEND_PARALLEL_JOBS"])]
    if only_if_idle and any(_exists(i) and Job.fetch(i, connection=q.connection).get_status()
                            in ACTIVE for i in ids):
        return False
    for job_id in ids:
        q.enqueue("newsletter.jobs.send_campaign", campaign_id, job_id=job_id,
                  job_timeout=queue.DEFAULT_JOB_TIMEOUT, retry=queue.DEFAULT_RETRY)
    return True


def enqueue_start_at(campaign_id: int, send_at) -> None:
    queue.enqueue_at(queue.SENDING, send_at, "newsletter.jobs.start_scheduled", campaign_id)


IMPORT_JOB_TIMEOUT = 3 * 3600  # a million-row file takes minutes; leave ample room


def run_import(import_id: int) -> None:
    """Import an uploaded file; resumes after the last committed batch when retried."""
    pipeline.run(db.session, import_id)


def enqueue_import(import_id: int) -> None:
    queue.enqueue(queue.BULK, "newsletter.jobs.run_import", import_id,
                  job_timeout=IMPORT_JOB_TIMEOUT)  # a retried job resumes after its last batch


# --- tracking -----------------------------------------------------------------------------
def record_click_events() -> int:
    """Drain the click/open events the endpoints pushed to Redis (``tracking.clicks``
    enqueues it by name)."""
    return clicks.record_events(db.session, queue.get_redis())


# --- test sends ---------------------------------------------------------------------------
def send_test(campaign_id: int, addresses: list[str], contact_id: int | None) -> None:
    config = current_app.config
    messenger = SMTPMessenger(smtp_settings(config))
    try:
        testsend.send_test(db.session, campaign_id, addresses, contact_id, messenger=messenger,
                           base_url=config["BASE_URL"], default_from=config["MAIL_FROM"])
    finally:
        messenger.close()


def enqueue_test(campaign_id: int, addresses: list[str], contact_id: int | None) -> None:
    queue.enqueue(queue.SUBSCRIBER, send_test, campaign_id, addresses, contact_id,
                  job_timeout=120)


# --- mail to subscribers about their own subscriptions ------------------------------------
SUBSCRIBER_MAIL_TIMEOUT = 60


def send_confirmation(subscription_id: int, text_version: str) -> None:
    _subscriber_mail(notifications.confirmation_message(db.session, subscription_id,
                                                        text_version))


def send_profile_login(contact_id: int) -> None:
    _subscriber_mail(notifications.login_message(db.session, contact_id))


def send_erasure_confirmation(contact_id: int) -> None:
    _subscriber_mail(notifications.erasure_message(db.session, contact_id))


def _subscriber_mail(message) -> None:
    messenger = SMTPMessenger(smtp_settings(current_app.config))
    try:
        notifications.send(messenger, message)
    finally:
        messenger.close()


def enqueue_subscriber_mail(job, *args) -> None:
    """``job`` is one of the three functions above."""
    if job not in (send_confirmation, send_profile_login, send_erasure_confirmation):
        raise ValueError(f"{job!r} is not a subscriber mail job")
    queue.enqueue(queue.SUBSCRIBER, job, *args, job_timeout=SUBSCRIBER_MAIL_TIMEOUT)


def confirm_signup(result) -> None:
    """After a signup's commit: the confirmation mail, when one is due."""
    if result is not None and result.mail_due:
        enqueue_subscriber_mail(send_confirmation, result.subscription_id, result.text_version)
