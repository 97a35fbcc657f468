"""Sending one transactional message in the worker, with the sending engine's parts: the
sender identity's rate limit shared with its campaigns (Redis), the message built like a
campaign's (From and Reply-To of the sender, the body and attachments, the DKIM
signature), the SMTP messenger and its failure classes. A temporary failure is retried by
the job (RQ Retry); a permanent one fails the message; the outcome is written to the row
right after the server's answer (a crash in between can send one message twice, with the
same Message-ID, as in the engine)."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from newsletter.channels import sms_gateways
from newsletter.channels.base import DeliveryError, Messenger, OutgoingMessage
from newsletter.channels.headers import header_lines, header_value, mailbox
from newsletter.content import rendering
from newsletter.models import Channel, TransactionalMessage, TransactionalState, utcnow
from newsletter.sending.messages import MessageFactory
from newsletter.sending.throttle import Rate, RateLimiter
from newsletter.texts import N_, stored

from . import requests, sms

#: a wait for the rate limit longer than this is not slept through: the job comes back
MAX_INLINE_WAIT = 5.0


class TemporaryFailure(Exception):
    """Raised by the job after a temporary failure, so RQ's Retry sends again later."""


@dataclass(frozen=True)
class Result:
    state: str | None = None  # None: nothing to send (already sent or failed, or gone)
    retry: bool = False  # a temporary failure; the job retries
    wait: float = 0.0  # the rate limit says: come back in this many seconds
    error: str = ""


def build(message: TransactionalMessage, factory: MessageFactory, base_url: str,
          domain: str) -> OutgoingMessage:
    campaign = message.template
    rendered = requests.render(campaign, message.address, message.data or {},
                               message.language, base_url)
    static = [("From", mailbox(factory.from_name, factory.from_email)), ("MIME-Version", "1.0")]
    if campaign.sender is not None and campaign.sender.reply_to:
        static.append(("Reply-To", mailbox(None, campaign.sender.reply_to)))
    headers = header_lines((*static,
                            ("To", mailbox(None, message.address)),
                            ("Subject", header_value(rendered.subject)),
                            ("Date", format_datetime(datetime.now(UTC))),
                            ("Message-ID", f"<nl.t.{message.id}@{domain}>"),
                            ("Auto-Submitted", "auto-generated")))
    data = headers + factory.body(rendered)
    if factory.signer is not None:
        data = factory.signer.sign(data)
    return OutgoingMessage(factory.from_email, message.address, data)


def send(session, message_id: int, messenger: Messenger, limiter: RateLimiter | None, *,
         base_url: str, default_from: str, final: bool) -> Result:
    """One attempt; the caller commits. ``final``: no retry follows a temporary failure."""
    message = session.get(TransactionalMessage, message_id)
    if message is None or message.state not in (TransactionalState.QUEUED,
                                                 TransactionalState.DEFERRED):
        return Result()
    campaign = message.template
    if campaign is None:
        return _failed(message, stored(N_("The template was deleted before the message went "
                                          "out.")))
    sender = campaign.sender
    if limiter is not None and sender is not None and sender.rate_limit:
        rate = Rate(sender.rate_limit, sender.rate_period)
        while (wait := limiter.acquire(f"sender:{sender.id}", rate)) > 0:
            if wait > MAX_INLINE_WAIT:
                return Result(state=message.state, wait=wait)
            time.sleep(wait)
    factory = MessageFactory(campaign, base_url=base_url, default_from=default_from)
    message.attempts += 1
    try:
        outgoing = build(message, factory, base_url, factory.domain)
        reply = messenger.send(outgoing)
    except rendering.RenderError as exc:
        return _failed(message, stored(N_("The template could not be filled: %(problem)s"),
                                       problem=exc))
    except DeliveryError as exc:
        message.error = message.smtp_reply = str(exc)[:300]
        if exc.permanent or final:
            return _failed(message, str(exc))
        message.state = TransactionalState.DEFERRED
        return Result(state=message.state, retry=True, error=str(exc))
    message.state, message.sent_at = TransactionalState.SENT, utcnow()
    message.smtp_reply, message.error = (reply or "")[:300], None
    return Result(state=message.state)


def _failed(message: TransactionalMessage, error: str) -> Result:
    message.state, message.error = TransactionalState.FAILED, error[:300]
    return Result(state=message.state, error=error)


def send_sms(session, message_id: int, config, *, final: bool) -> Result | None:
    """One attempt of a transactional SMS through its template's gateway (None: the
    message is an e-mail). The caller commits."""
    message = session.get(TransactionalMessage, message_id)
    if message is None or message.channel != Channel.SMS:
        return None
    if message.state not in (TransactionalState.QUEUED, TransactionalState.DEFERRED):
        return Result()
    campaign = message.template
    try:
        messenger = sms_gateways.open_gateway(config, campaign.sms_gateway) if campaign \
            else None
    except sms_gateways.GatewayError as exc:
        state, _retry, error = sms.fail(session, message, str(exc))
        return Result(state=state, error=error)
    try:
        state, retry, error = sms.send(session, message, messenger, final=final)
    finally:
        if messenger is not None:
            messenger.close()
    return Result(state=state, retry=retry, error=error)
