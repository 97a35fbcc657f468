"""Every RQ job: thin importable functions taking ids, each calling one domain function.
They run inside the app context that the worker pushes (see ``newsletter.worker``).
Enqueue only after the commit; every job has an explicit timeout, and a Retry where a
second run is safe."""

import imaplib
import logging
import math
import poplib
import time
import uuid
from datetime import UTC, datetime, timedelta

import redis
from flask import current_app
from rq import get_current_job
from rq.job import Job, JobStatus

from newsletter.audience import mailqueue, notifications
from newsletter.automation import drip, recurring
from newsletter.bounces import mailbox
from newsletter.campaigns import abtest, drafts, lifecycle
from newsletter.channels import sms_gateways
from newsletter.channels.smtp import SMTPMessenger, smtp_settings
from newsletter.compliance import review, review_mail
from newsletter.compliance import start as checked
from newsletter.imports import pipeline
from newsletter.models import Campaign, Channel, utcnow
from newsletter.platform import health, invitations
from newsletter.sending import claims, engine, pools, sms_receipts, sms_testsend, testsend
from newsletter.sending.throttle import RateLimiter
from newsletter.tracking import clicks
from newsletter.transactional import outbox as transactional_outbox
from newsletter.transactional import sending as transactional
from newsletter.webhooks import delivery as webhook_delivery
from newsletter.webhooks import endpoints as webhook_endpoints
from newsletter.webhooks import notice as webhook_notice
from newsletter.webhooks import outbox as webhook_outbox

from . import queue
from .extensions import db

log = logging.getLogger(__name__)
REAPER_JOB_ID = "newsletter-reaper"
#: a campaign's batch jobs (a set of job ids), to count the live ones
SEND_JOBS_KEY = "newsletter:send-jobs:{}"
#: the time (epoch seconds) of the campaign's next scheduled rerun, until it comes
RERUN_KEY = "newsletter:rerun:{}"
# KEYS[1] the rerun key; ARGV: the rerun's time (s), ms until then. Schedules (returns 1)
# unless a rerun at that time or earlier is already on its way; that one reschedules
# itself for whatever is left when it runs.
_RERUN = """
local scheduled = redis.call('GET', KEYS[1])
if scheduled and tonumber(scheduled) <= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""


def send_campaign(campaign_id: int, top_up: bool = False) -> dict:
    """One batch job's turn: send what is sendable now, for SEND_SLICE_SECONDS at most,
    then hand over to a fresh job at the back of the queue (so a worker takes more urgent
    jobs in between), or schedule a rerun when a limit, a retry or the mail server says
    later. A rerun (``top_up``) first brings the campaign back to SEND_PARALLEL_JOBS
    jobs."""
    if top_up:
        enqueue_send(campaign_id)
    config = current_app.config
    conn = queue.get_redis()
    campaign = db.session.get(Campaign, campaign_id)
    inbox = gateway = None
    if campaign is not None and campaign.channel == Channel.SMS:
        # SMS: the campaign's gateway; the engine's rate limit, journal and retries
        gateway, inbox = campaign.sms_gateway, sms_receipts.Inbox()
        messenger = sms_gateways.open_gateway(config, gateway,
                                              report_token=sms_receipts.report_token,
                                              session=db.session)
        if hasattr(messenger, "on_deliver"):  # SMPP: receipts and replies come meanwhile
            messenger.on_deliver = inbox
        shared = engine.Shared(limiter=RateLimiter(conn), journal=conn)
    else:
        # the sender's pool of servers set in the admin, else SMTP_URL
        route = pools.email_route(db.session, config, conn,
                                  campaign.sender_id if campaign is not None else None)
        messenger, shared = route.messenger, route.shared
    result = engine.run_campaign(db.session, campaign_id, messenger,
                                  engine.SendPolicy.from_config(config), shared)
    if inbox is not None:
        inbox.handle(db.session, gateway)
    if result.handover:
        _enqueue_batch_job(campaign_id)
    elif result.next_run_at is not None:
        _schedule_rerun(campaign_id, result.next_run_at)
    return {"sent": result.sent, "deferred": result.deferred, "failed": result.failed,
            "finished": result.finished, "handover": result.handover}


def _schedule_rerun(campaign_id: int, at: datetime) -> None:
    """Run the campaign again at ``at`` (naive UTC), never before: RQ schedules in whole
    seconds, so the rerun goes at the next whole second (a rerun that came early would
    find nothing due, and its own reschedule would be refused as a duplicate). One rerun
    per campaign and moment, however many batch jobs ask for it; an earlier one is always
    scheduled."""
    when = math.ceil(at.replace(tzinfo=UTC).timestamp())
    until_ms = max(1, int((when - time.time()) * 1000))
    conn = queue.get_redis()
    if conn.register_script(_RERUN)(keys=[RERUN_KEY.format(campaign_id)],
                                    args=[when, until_ms]):
        _enqueue_batch_job(campaign_id, at=datetime.fromtimestamp(when, UTC))


def start_scheduled(campaign_id: int) -> None:
    """The scheduled time has come: the checklist again (its warnings were confirmed when
    it was scheduled; a blocking item refuses), resolve recipients, then send. Nothing
    when the campaign was unscheduled or rescheduled since this job was made."""
    try:
        lifecycle.ensure_due(db.session, campaign_id)
        checked.refresh_domain(db.session, campaign_id)
        held = review.hold_if_flagged(db.session, campaign_id, "scheduler")
        db.session.commit()
        if held:
            enqueue_review_mail(held.id)
            return
        checked.start(db.session, campaign_id, confirmed=True)
    except checked.StartRefused as exc:  # back to a draft, so the reaper stops retrying
        db.session.rollback()
        lifecycle.unschedule_campaign(db.session, campaign_id)
        db.session.commit()
        log.warning("scheduled campaign %s not started: %s", campaign_id, exc)
        return
    except drafts.CampaignError as exc:
        db.session.rollback()
        log.warning("scheduled campaign %s not started: %s", campaign_id, exc)
        return
    db.session.commit()
    enqueue_send(campaign_id)


def run_recurring(series_id: int) -> int | None:
    """A recurring series is due: its run becomes a campaign scheduled for now, started
    like any scheduled campaign (checklist, review, sending), or a logged skip. Safe to
    run twice: only one run claims a due time."""
    campaign_id = recurring.run_due(db.session, series_id, utcnow())
    db.session.commit()
    if campaign_id is not None:
        start_scheduled(campaign_id)
    return campaign_id


def enqueue_recurring(series_id: int) -> None:
    queue.enqueue(queue.SENDING, "newsletter.jobs.run_recurring", series_id,
                  job_id=f"recurring-{series_id}-{uuid.uuid4().hex[:8]}", job_timeout=600)


def run_sequence(sequence_id: int, at: str | None = None) -> list[int]:
    """A pass over an active welcome or drip sequence: enrol, stop the leavers, queue the
    steps that fell due, then have their campaigns sent. ``at`` is the clock (ISO, naive
    UTC; default now), so tests move time instead of waiting days. Safe to run twice or
    concurrently: each contact's step is claimed once."""
    now = datetime.fromisoformat(at) if at else utcnow()
    campaign_ids = drip.run(db.session, sequence_id, now)
    db.session.commit()
    for campaign_id in campaign_ids:
        enqueue_send(campaign_id)
    return campaign_ids


def enqueue_sequence(sequence_id: int, at: datetime | None = None) -> None:
    queue.enqueue(queue.SENDING, "newsletter.jobs.run_sequence", sequence_id,
                  at.isoformat() if at else None, retry=queue.DEFAULT_RETRY,
                  job_id=f"sequence-{sequence_id}-{uuid.uuid4().hex[:8]}", job_timeout=600)


def reap() -> list[int]:
    """Every minute: start jobs for running campaigns with sendable work and no live job
    (their worker died, or Redis lost the job), and for scheduled campaigns that are due;
    pick the winners of A/B tests whose wait is over; run the recurring series that are
    due and a pass of every active sequence; enqueue transactional messages and webhook
    deliveries whose job never got enqueued; poll the bounce mailbox when one is
    configured; drop uploads never set up and webhook deliveries older than
    WEBHOOK_LOG_DAYS."""
    try:
        if current_app.config["BOUNCE_MAILBOX_URL"]:
            poll_bounce_mailbox()
        if pipeline.discard_abandoned(db.session, timedelta(
                hours=current_app.config["IMPORT_ABANDONED_HOURS"])):
            db.session.commit()
        for series_id in recurring.due_series(db.session, utcnow()):
            enqueue_recurring(series_id)
        for sequence_id in drip.active_sequences(db.session):
            enqueue_sequence(sequence_id)
        webhook_endpoints.prune(db.session, utcnow() - timedelta(
            days=current_app.config["WEBHOOK_LOG_DAYS"]))
        db.session.commit()  # also when nothing went: no write lock stays behind (SQLite)
        enqueue_stranded()
        started = []
        for campaign_id in lifecycle.due_scheduled(db.session):
            start_scheduled(campaign_id)
            started.append(campaign_id)
        for campaign_id in abtest.due(db.session):
            if pick_ab_winner(campaign_id):
                started.append(campaign_id)
        for campaign_id in claims.campaigns_needing_a_worker(db.session):
            if enqueue_send(campaign_id, only_if_idle=True):
                started.append(campaign_id)
        return started
    finally:
        schedule_reaper()


def enqueue_stranded() -> tuple[list[int], list[int]]:
    """Transactional messages and webhook deliveries whose job never got enqueued (Redis
    was down right after their commit) or was lost, written more than
    OUTBOX_GRACE_SECONDS ago: enqueue them now. Returns (message ids, delivery ids)."""
    before = utcnow() - timedelta(seconds=current_app.config["OUTBOX_GRACE_SECONDS"])
    messages = transactional_outbox.stranded(db.session, before)
    deliveries = webhook_outbox.stranded(db.session, before)
    db.session.commit()
    for message_id in messages:
        transactional_outbox.enqueue(message_id)
    if deliveries:
        webhook_outbox.enqueue(deliveries, webhook_outbox.retry())
    if messages or deliveries:
        log.warning("re-enqueued stranded transactional messages %s, webhook deliveries %s",
                    messages, deliveries)
    return messages, deliveries


def pick_ab_winner(campaign_id: int) -> int | None:
    """An A/B test's wait is over: pick the winner and send it to the rest. None when it
    was picked meanwhile (an editor) or the campaign stopped."""
    try:
        winner = abtest.decide(db.session, campaign_id)
    except drafts.CampaignError as exc:
        db.session.rollback()
        log.info("A/B winner of campaign %s not picked: %s", campaign_id, exc)
        return None
    db.session.commit()
    enqueue_send(campaign_id)
    return winner


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
    interval = timedelta(seconds=current_app.config["REAPER_SECONDS"])
    queue.enqueue_at(queue.SENDING, utcnow() + interval, "newsletter.jobs.reap",
                     job_id=REAPER_JOB_ID, job_timeout=300, retry=None)


def _exists(job_id: str) -> bool:
    return bool(queue.get_redis().exists(Job.key_for(job_id)))


def send_after_commit(campaign_id: int) -> bool:
    """``enqueue_send`` right after the commit that made a campaign sendable (start,
    resume). With Redis unreachable that commit stands and the reaper starts the jobs once
    Redis answers again, so this logs and returns False rather than failing the request
    that committed. True when the jobs are queued."""
    try:
        enqueue_send(campaign_id)
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        log.warning("campaign %s: its jobs wait for Redis (%s); the reaper starts them",
                    campaign_id, exc)
        return False
    return True


def enqueue_send(campaign_id: int, only_if_idle: bool = False) -> bool:
    """Bring the campaign up to SEND_PARALLEL_JOBS batch jobs that are queued or running
    on a live worker (several workers share the work; claims are atomic, so an extra job
    never sends anything twice). ``only_if_idle`` (the reaper): only when the campaign has
    no such job and no rerun scheduled either. True when jobs were enqueued."""
    conn = queue.get_redis()
    key = SEND_JOBS_KEY.format(campaign_id)
    with conn.lock(key + ":lock", timeout=30, blocking_timeout=30):
        running, scheduled = _live_send_jobs(conn, key)
        if only_if_idle and (running or scheduled):
            return False
        missing = current_app.config["SEND_PARALLEL_JOBS"] - running
        for _ in range(missing):
            _enqueue_batch_job(campaign_id)
    return missing > 0


def _live_send_jobs(conn, key: str) -> tuple[int, int]:
    """(jobs queued or running on a live worker, jobs scheduled) among the campaign's; the
    others (finished, failed, lost, or started by a worker whose heartbeat stopped: killed
    with it) are forgotten."""
    ids = [job_id.decode() for job_id in conn.smembers(key)]
    running = scheduled = 0
    gone = []
    for job_id, job in zip(ids, Job.fetch_many(ids, connection=conn), strict=True):
        status = job.get_status(refresh=False) if job is not None else None
        if status == JobStatus.QUEUED or status == JobStatus.STARTED and job.worker_name \
                and health.worker_alive(conn, job.worker_name):
            running += 1
        elif status in (JobStatus.SCHEDULED, JobStatus.DEFERRED):
            scheduled += 1
        else:
            gone.append(job_id)
    if gone:
        conn.srem(key, *gone)
    return running, scheduled


def _enqueue_batch_job(campaign_id: int, at: datetime | None = None) -> None:
    """One more batch job for the campaign, now or (a rerun) at ``at``."""
    job_id = f"send-{campaign_id}-{uuid.uuid4().hex[:12]}"
    if at is None:
        queue.enqueue(queue.SENDING, "newsletter.jobs.send_campaign", campaign_id,
                      job_id=job_id)
    else:
        queue.enqueue_at(queue.SENDING, at, "newsletter.jobs.send_campaign", campaign_id,
                         top_up=True, job_id=job_id)
    conn = queue.get_redis()
    key = SEND_JOBS_KEY.format(campaign_id)
    conn.sadd(key, job_id)
    conn.expire(key, 7 * 86400)


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
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is not None and campaign.channel == Channel.SMS:
        messenger = sms_gateways.open_gateway(config, campaign.sms_gateway, session=db.session)
        try:
            sms_testsend.send_test(db.session, campaign_id, addresses, contact_id,
                                   messenger=messenger)
        finally:
            messenger.close()
        return
    messenger = pools.email_route(db.session, config, queue.get_redis(),
                                  campaign.sender_id if campaign is not None else None).messenger
    try:
        testsend.send_test(db.session, campaign_id, addresses, contact_id, messenger=messenger,
                           base_url=config["BASE_URL"], default_from=config["MAIL_FROM"])
        db.session.commit()  # the contact's profile code, when the test gave it one
    finally:
        messenger.close()


def enqueue_test(campaign_id: int, addresses: list[str], contact_id: int | None) -> None:
    queue.enqueue(queue.SUBSCRIBER, send_test, campaign_id, addresses, contact_id,
                  job_timeout=120)


# --- mail to subscribers about their own subscriptions ------------------------------------
def send_subscriber_mail() -> int:
    """Drain the subscriber-mail queue (``audience.mailqueue``) over one SMTP connection."""
    messenger = SMTPMessenger(smtp_settings(current_app.config))
    try:
        return mailqueue.drain(db.session, queue.get_redis(), messenger)
    finally:
        messenger.close()


def enqueue_subscriber_mail(kind: str, *args) -> None:
    """``kind`` is ``confirmation`` (subscription id, consent text version), ``login`` or
    ``erasure`` (contact id); call after the commit."""
    mailqueue.push(queue.get_redis(), kind, *args)


def send_review_mail(review_id: int) -> None:
    """Tell the campaign's editor that it was held, approved or rejected."""
    messenger = SMTPMessenger(smtp_settings(current_app.config))
    try:
        notifications.send(messenger, review_mail.message(db.session, review_id))
    finally:
        messenger.close()


def enqueue_review_mail(review_id: int) -> None:
    queue.enqueue(queue.SUBSCRIBER, send_review_mail, review_id, job_timeout=60)


def send_account_mail(user_id: int, kind: str) -> None:
    """An invitation or a link to set a new password (``platform.invitations``)."""
    messenger = SMTPMessenger(smtp_settings(current_app.config))
    try:
        notifications.send(messenger, invitations.message(db.session, user_id, kind))
    finally:
        messenger.close()


def enqueue_account_mail(user_id: int, kind: str) -> None:
    queue.enqueue(queue.SUBSCRIBER, send_account_mail, user_id, kind, job_timeout=60)


def confirm_signup(result) -> None:
    """After a signup's commit: the confirmation mail, when one is due."""
    if result is not None and result.mail_due:
        enqueue_subscriber_mail("confirmation", result.subscription_id, result.text_version)


# --- outgoing webhooks --------------------------------------------------------------------
def deliver_webhook(delivery_id: int) -> bool:
    """One attempt of a webhook delivery (``webhooks.outbox`` enqueues it after the commit
    that wrote it). A failure with retries left raises, so RQ's Retry tries again later;
    the last attempt marks the delivery failed. True when delivered."""
    job = get_current_job()
    final = job is None or not job.retries_left
    outcome = webhook_delivery.attempt(
        db.session, delivery_id, final=final,
        settings=webhook_delivery.Settings.from_config(current_app.config))
    db.session.commit()
    if outcome.paused:
        queue.enqueue(queue.SUBSCRIBER, send_webhook_notice, outcome.endpoint_id,
                      job_timeout=60)
    if outcome.retry:
        raise webhook_delivery.AttemptFailed(outcome.error)
    return outcome.delivered


def send_webhook_notice(endpoint_id: int) -> None:
    """Tell the owners that the endpoint was paused after failing again and again."""
    messages = webhook_notice.paused_messages(db.session, endpoint_id)
    if not messages:
        return
    messenger = SMTPMessenger(smtp_settings(current_app.config))
    try:
        for message in messages:
            notifications.send(messenger, message)
    finally:
        messenger.close()


# --- transactional mail -------------------------------------------------------------------
def send_transactional(message_id: int) -> str | None:
    """Send one transactional message, an e-mail or an SMS through its template's gateway
    (``transactional.outbox`` enqueues it after the commit that wrote it). A temporary
    failure raises, so RQ's Retry tries again; the sender's rate limit, when it asks for a
    longer wait, brings the job back at that time without spending an attempt."""
    config = current_app.config
    job = get_current_job()
    final = job is None or not job.retries_left
    result = transactional.send_sms(db.session, message_id, config, final=final)
    if result is None:  # an e-mail
        messenger = SMTPMessenger(smtp_settings(config))
        try:
            result = transactional.send(
                db.session, message_id, messenger, RateLimiter(queue.get_redis()),
                base_url=config["BASE_URL"], default_from=config["MAIL_FROM"], final=final)
        finally:
            messenger.close()
    db.session.commit()
    if result.wait:
        transactional_outbox.enqueue(message_id, utcnow() + timedelta(seconds=result.wait))
    if result.retry:
        raise transactional.TemporaryFailure(result.error)
    return result.state
