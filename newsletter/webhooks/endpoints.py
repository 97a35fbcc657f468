"""The endpoints owners register: a URL (checked by the SSRF rules when it is saved and
again at every request), the events it wants, and a secret shown once. Also the "send a
test event" button, resumption of a paused endpoint, and the log the admin shows."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext
from sqlalchemy import delete, func, select

from newsletter.errors import DomainError
from newsletter.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryState,
    WebhookEndpoint,
)
from newsletter.platform import safefetch

from . import outbox, signing
from .events import EVENTS, TEST


class WebhookError(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(WebhookError):
    pass


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown to the owner once


def check_url(url: str, allow_private: bool) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise WebhookError(gettext("That is not a valid address."), "url") from None
    if len(url) > 2000 or parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(gettext("Give an http:// or https:// address of at most 2000 "
                                   "characters."), "url")
    if parts.username or parts.password:
        raise WebhookError(gettext("Put no user name or password in the address; check the "
                                   "signature instead."), "url")
    if parts.hostname.lower() == "localhost" and not allow_private:
        raise WebhookError(gettext("localhost is not reachable from the platform."), "url")
    try:  # an address is checked now; a name when it is resolved, at every request
        safefetch.check_literal(parts.hostname, allow_private)
    except safefetch.FetchError as exc:
        raise WebhookError(str(exc), "url") from None
    return url


def check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise WebhookError(gettext("Unknown events: %(events)s.", events=", ".join(unknown)),
                           "events")
    if not events:
        raise WebhookError(gettext("Choose at least one event."), "events")
    return [name for name in EVENTS if name in events]


def create_endpoint(session, user_id: int | None, name: str, url: str, events: list[str],
                    allow_private: bool) -> NewEndpoint:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise WebhookError(gettext("Give the endpoint a name of at most 100 characters."),
                           "name")
    endpoint = WebhookEndpoint(name=name, url=check_url(url, allow_private),
                               events=check_events(events), secret=signing.new_secret(),
                               created_by_id=user_id, consecutive_failures=0)
    session.add(endpoint)
    session.flush()
    return NewEndpoint(endpoint, endpoint.secret)


def get_endpoint(session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(gettext("That webhook endpoint does not exist."))
    return endpoint


def all_endpoints(session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.name,
                                                                 WebhookEndpoint.id)))


def delete_endpoint(session, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint goes with its log; jobs still queued for it find nothing to send."""
    endpoint = get_endpoint(session, endpoint_id)
    session.delete(endpoint)
    session.flush()
    return endpoint


def send_test(session, endpoint_id: int) -> int:
    """A ``test`` event for this endpoint only (also when it is paused, to try a fix)."""
    endpoint = get_endpoint(session, endpoint_id)
    outbox.emit(session, TEST, {"endpoint_id": endpoint.id, "name": endpoint.name,
                                "message": "This is a test event from the newsletter."},
                endpoint_ids=[endpoint.id])
    return endpoint.id


def resume(session, endpoint_id: int) -> int:
    """Unpause the endpoint and send what waited for it (its pending deliveries, after the
    caller's commit). Returns how many."""
    endpoint = get_endpoint(session, endpoint_id)
    endpoint.paused_at = endpoint.paused_reason = None
    endpoint.consecutive_failures = 0
    pending = list(session.scalars(select(WebhookDelivery.id).where(
        WebhookDelivery.endpoint_id == endpoint.id,
        WebhookDelivery.state == WebhookDeliveryState.PENDING).order_by(WebhookDelivery.id)))
    session.info.setdefault(outbox.PENDING_KEY, []).extend(pending)
    session.flush()
    return len(pending)


@dataclass(frozen=True)
class LogEntry:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def recent_log(session, endpoint_id: int, limit: int = 50) -> list[LogEntry]:
    """The endpoint's latest deliveries, newest first, each with its attempts."""
    deliveries = list(session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)))
    attempts: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
    for row in session.scalars(select(WebhookAttempt).where(
            WebhookAttempt.delivery_id.in_(attempts)).order_by(WebhookAttempt.id)):
        attempts[row.delivery_id].append(row)
    return [LogEntry(d, attempts[d.id]) for d in deliveries]


def delivery_counts(session) -> dict[int, dict[str, int]]:
    """Deliveries per endpoint and state, for the list page."""
    counts: dict[int, dict[str, int]] = {}
    for endpoint_id, state, count in session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.state, func.count())
            .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.state)):
        counts.setdefault(endpoint_id, {})[state] = count
    return counts


def prune(session, before: datetime) -> int:
    """Forget delivered and failed deliveries (with their attempts) made before
    ``before``; pending ones stay. Returns how many went."""
    return session.execute(delete(WebhookDelivery).where(
        WebhookDelivery.created_at < before,
        WebhookDelivery.state != WebhookDeliveryState.PENDING)
        .execution_options(synchronize_session=False)).rowcount


def paused_endpoints(session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.paused_at.is_not(None)).order_by(WebhookEndpoint.paused_at)))


