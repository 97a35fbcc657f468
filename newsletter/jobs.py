"""RQ jobs: thin importable functions taking ids. They run inside the app context that
the worker pushes (see ``newsletter.worker``)."""

from flask import current_app

from . import imports, queue, sending
from .extensions import db
from .messengers import SMTPMessenger, smtp_settings


def send_campaign(campaign_id: int) -> None:
    """Send what is sendable now; reschedule itself for deferred deliveries."""
    config = current_app.config
    messenger = SMTPMessenger(smtp_settings(config))
    policy = sending.SendPolicy.from_config(config)
    next_due = sending.run_campaign(db.session, campaign_id, messenger, policy)
    if next_due is not None:
        queue.get_queue().enqueue_at(
            next_due, "newsletter.jobs.send_campaign", campaign_id,
            job_timeout=queue.DEFAULT_JOB_TIMEOUT, retry=queue.DEFAULT_RETRY,
        )


def enqueue_send(campaign_id: int) -> None:
    queue.enqueue("newsletter.jobs.send_campaign", campaign_id)


IMPORT_JOB_TIMEOUT = 3 * 3600  # a million-row file takes minutes; leave ample room


def run_import(import_id: int) -> None:
    """Import an uploaded file; resumes after the last committed batch when retried."""
    imports.run(db.session, import_id)


def enqueue_import(import_id: int) -> None:
    queue.enqueue("newsletter.jobs.run_import", import_id, job_timeout=IMPORT_JOB_TIMEOUT,
                  retry=queue.DEFAULT_RETRY)  # a retried job resumes after its last batch
