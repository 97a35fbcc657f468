"""What one sending run works with and produces: its policy (``SendPolicy``, from the
configuration), what workers share through Redis (``Shared``), its result (``RunResult``),
and ``outcome``: a delivery's new column values after one attempt. The run itself is
``engine``'s."""

import os
import re
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newsletter.channels import circuit as circuits
from newsletter.channels.base import DeliveryError
from newsletter.models import DeliveryState, utcnow

from . import sms
from .throttle import ConnectionSlots, Rate, RateLimiter

HARD_BOUNCE = re.compile(r"\b5\.1\.\d{1,3}\b")


@dataclass(frozen=True)
class SendPolicy:
    batch_size: int = 200
    lease_seconds: int = 300
    max_attempts: int = 5
    retry_base_seconds: int = 60
    default_from: str = "Newsletter <newsletter@localhost>"
    base_url: str = "http://127.0.0.1:5000"
    bounce_domain: str | None = None
    max_inline_wait: float = 2.0  # wait longer than this: reschedule instead of sleeping
    job_budget_seconds: float = 10.0  # then hand over to a fresh job (SEND_SLICE_SECONDS)
    backoff_421_seconds: int = 60
    domain_rate: Rate | None = None  # optional per-recipient-domain limit
    sms_rate: Rate | None = None  # per SMS gateway, across all workers

    @classmethod
    def from_config(cls, config) -> "SendPolicy":
        per_min = config["DOMAIN_RATE_PER_MINUTE"]
        return cls(
            batch_size=config["SEND_BATCH_SIZE"], lease_seconds=config["SEND_LEASE_SECONDS"],
            max_attempts=config["SEND_MAX_ATTEMPTS"],
            retry_base_seconds=config["SEND_RETRY_BASE_SECONDS"],
            job_budget_seconds=config["SEND_SLICE_SECONDS"],
            default_from=config["MAIL_FROM"], base_url=config["BASE_URL"],
            bounce_domain=config["BOUNCE_DOMAIN"],
            domain_rate=Rate(per_min, "minute") if per_min else None,
            sms_rate=Rate(per_m, "minute") if (per_m := config["SMS_RATE_PER_MINUTE"]) else None,
        )


@dataclass
class Shared:
    """What workers share through Redis: limits and the outcome journal. None parts are not
    used (tests of the engine alone write outcomes straight to the database)."""

    limiter: RateLimiter | None = None
    slots: ConnectionSlots | None = None
    sleep: callable = time.sleep
    journal: object | None = None  # a Redis connection for the outcome journal
    circuit: circuits.Circuit | None = None  # the mail server's, shared by all workers


@dataclass
class RunResult:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    next_run_at: datetime | None = None  # when to run again (throttled, 421, deferred)
    handover: bool = False  # the job's time is up: a fresh job goes on now
    finished: bool = False
    waiting_for_server: str | None = None  # why the mail server could not be reached
    notes: list[str] = field(default_factory=list)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def outcome(attempts: int, exc: DeliveryError | None, reply: str,
            policy: SendPolicy) -> dict:
    """The delivery's new column values after one attempt (``attempts`` made before)."""
    attempts += 1
    values = {"attempts": attempts, "claimed_by": None, "lease_until": None, "sent_at": None,
              "next_attempt_at": None, "message_id": None}
    if exc is None:  # an SMSC's message id: its delivery receipt quotes it
        return {**values, "state": DeliveryState.SENT, "sent_at": utcnow(), "error": None,
                "smtp_reply": reply[:300], "message_id": getattr(reply, "reference", None)}
    values["error"] = values["smtp_reply"] = str(exc)[:300]
    if isinstance(exc, sms.RecipientSkipped):
        values["state"] = DeliveryState.SKIPPED
    elif exc.permanent and exc.code is not None and HARD_BOUNCE.search(str(exc)):  # a reply
        values["state"] = DeliveryState.BOUNCED
    elif exc.permanent or attempts >= policy.max_attempts:
        values["state"] = DeliveryState.FAILED
    else:
        values["state"] = DeliveryState.DEFERRED
        values["next_attempt_at"] = utcnow() + timedelta(
            seconds=policy.retry_base_seconds * 2 ** (attempts - 1))
    return values
