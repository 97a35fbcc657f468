"""One attempt to deliver a webhook: a signed POST through the SSRF-safe fetcher (time and
size limits, no redirect followed), logged with the status code, the start of the answer
or the error. A 2xx answer delivers; anything else fails the attempt, and the job is
retried (RQ Retry, growing intervals) until the last attempt marks the delivery failed.
WEBHOOK_PAUSE_AFTER failed attempts in a row pause the endpoint: nothing more is sent to
it until an owner resumes it (the owners are told by mail)."""

import time
from dataclasses import dataclass

from sqlalchemy import update

from newsletter.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryState,
    WebhookEndpoint,
    utcnow,
)
from newsletter.platform import safefetch
from newsletter.texts import N_, stored

from . import signing
from .events import TEST

USER_AGENT = "newsletter-webhooks/1"
SNIPPET = 500


class AttemptFailed(Exception):
    """Raised by the job after a failed attempt that will be retried (RQ's Retry)."""


@dataclass(frozen=True)
class Settings:
    timeout: float
    max_bytes: int
    allow_private: bool
    pause_after: int

    @classmethod
    def from_config(cls, config) -> "Settings":
        return cls(float(config["WEBHOOK_TIMEOUT"]), int(config["WEBHOOK_MAX_RESPONSE_BYTES"]),
                   bool(config["WEBHOOK_ALLOW_PRIVATE"]), int(config["WEBHOOK_PAUSE_AFTER"]))


@dataclass(frozen=True)
class Outcome:
    delivered: bool = False
    retry: bool = False  # failed, and another attempt will come
    paused: bool = False  # this failure paused the endpoint: tell the owners
    endpoint_id: int | None = None
    error: str = ""


def attempt(session, delivery_id: int, *, final: bool, settings: Settings) -> Outcome:
    """POST the delivery once (nothing when it is no longer pending, or its endpoint is
    paused: it waits for the endpoint's resumption). The caller commits."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.state != WebhookDeliveryState.PENDING:
        return Outcome()
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint.paused_at is not None and delivery.event != TEST:
        return Outcome(endpoint_id=endpoint.id)
    row = _post(endpoint, delivery, settings)
    session.add(row)
    delivery.attempts += 1
    if not row.error:
        delivery.state, delivery.delivered_at = WebhookDeliveryState.DELIVERED, utcnow()
        endpoint.consecutive_failures = 0
        session.flush()
        return Outcome(delivered=True, endpoint_id=endpoint.id)
    if final:
        delivery.state = WebhookDeliveryState.FAILED
    paused = _count_failure(session, endpoint.id, settings.pause_after)
    return Outcome(retry=not final and not paused, paused=paused, endpoint_id=endpoint.id,
                   error=row.error)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery,
          settings: Settings) -> WebhookAttempt:
    content = delivery.body.encode()
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               signing.HEADER: signing.header(endpoint.secret, timestamp, content),
               "Newsletter-Event": delivery.event, "Newsletter-Delivery": str(delivery.id)}
    started = time.monotonic()
    row = WebhookAttempt(delivery_id=delivery.id, attempted_at=utcnow(), response="", error="")
    try:
        answer = safefetch.request(
            "POST", endpoint.url, deadline=started + settings.timeout,
            max_bytes=settings.max_bytes, allow_private=settings.allow_private,
            headers=headers, body=content, truncate=True)
    except safefetch.FetchError as exc:
        row.error = str(exc)[:300]
    else:
        row.status_code = answer.status
        row.response = answer.body[:SNIPPET * 2].decode("utf-8", "replace")[:SNIPPET]
        if not 200 <= answer.status < 300:
            row.error = stored(N_("The endpoint answered %(status)d (redirects are not "
                                  "followed).") if 300 <= answer.status < 400
                               else N_("The endpoint answered %(status)d."),
                               status=answer.status)
    row.duration_ms = int((time.monotonic() - started) * 1000)
    return row


def _count_failure(session, endpoint_id: int, pause_after: int) -> bool:
    """One more failure in a row; True when it is the one that paused the endpoint."""
    session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
                    .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
                    .execution_options(synchronize_session=False))
    paused = session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.paused_at.is_(None),
               WebhookEndpoint.consecutive_failures >= pause_after)
        .values(paused_at=utcnow(),
                paused_reason=stored(N_("Failed deliveries in a row: %(num)d."),
                                     num=pause_after))
        .execution_options(synchronize_session=False)).rowcount == 1
    session.expire_all()
    return paused
