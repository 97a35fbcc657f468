"""Inbound bounces: DSNs that come back to the VERP return path ``bounces+<token>@domain``
(through an SMTP/LMTP listener the MTA forwards to). flufl.bounce reads the report:
permanent failures mark the delivery bounced and suppress the address; temporary ones only
count towards the soft-bounce limit. A spam complaint (an ARF report) suppresses the
address and unsubscribes it."""

import email
import logging
from email import policy
from email.message import Message

from flufl.bounce import all_failures
from sqlalchemy import select, update

from newsletter.audience import subscriptions, suppression
from newsletter.models import (
    Contact,
    ContactStatus,
    Delivery,
    DeliveryState,
    Subscription,
    utcnow,
)
from newsletter.platform import tokens
from newsletter.platform.tokens import InvalidToken, Purpose
from newsletter.webhooks import events, payloads
from newsletter.webhooks import outbox as webhooks

log = logging.getLogger(__name__)


class Outcome:
    HARD = "hard"  # permanent failure: bounced and suppressed
    SOFT = "soft"  # temporary only: counted
    IGNORED = "ignored"  # not a bounce for one of our deliveries
    COMPLAINT = "complaint"  # a spam report (ARF): suppressed and unsubscribed


def delivery_for(recipient: str) -> int | None:
    """The delivery id a VERP address names, or None."""
    local = recipient.partition("@")[0]
    prefix, _, token = local.partition("+")
    if prefix.lower() != "bounces" or not token:
        return None
    try:
        return tokens.short_verify(Purpose.BOUNCE, token)
    except InvalidToken:
        return None


def process(session, recipient: str, raw: bytes, soft_limit: int) -> str:
    """Apply one inbound message addressed to ``recipient``; the caller commits."""
    delivery_id = delivery_for(recipient)
    delivery = session.get(Delivery, delivery_id) if delivery_id else None
    if delivery is None:
        return Outcome.IGNORED
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    if is_complaint(msg):
        mark_complaint(session, delivery)
        return Outcome.COMPLAINT
    temporary, permanent = _failures(msg)
    if permanent:
        mark_hard(session, delivery, "permanent failure reported: " + ", ".join(permanent))
        return Outcome.HARD
    if not temporary:
        return Outcome.IGNORED  # an auto-reply or other mail, not a delivery report
    if delivery.contact_id is None:
        return Outcome.SOFT
    contact = session.get(Contact, delivery.contact_id)
    contact.soft_bounces += 1
    if contact.soft_bounces >= soft_limit:
        mark_hard(session, delivery, f"{contact.soft_bounces} soft bounces")
        return Outcome.HARD
    return Outcome.SOFT


def is_complaint(msg: Message) -> bool:
    """An abuse report in the Abuse Reporting Format (RFC 5965): a multipart/report of
    report-type feedback-report (a mailbox provider's feedback loop)."""
    return msg.get_content_type() == "multipart/report" \
        and (msg.get_param("report-type") or "").lower() == "feedback-report"


def mark_complaint(session, delivery: Delivery) -> None:
    """The recipient called the message spam: the address is suppressed (no campaign
    reaches it again) and leaves the campaign's lists, and the delivery counts an
    unsubscribe."""
    suppression.suppress(session, delivery.address, suppression.Reason.COMPLAINT)
    if delivery.unsubscribed_at is None:
        delivery.unsubscribed_at = utcnow()
    webhooks.emit(session, events.COMPLAINED, payloads.delivery(delivery, "spam complaint"))
    if delivery.contact_id is None:
        session.flush()
        return
    evidence = subscriptions.Evidence(ip=None, user_agent=None, source="spam complaint")
    for sub in session.scalars(select(Subscription).where(
            Subscription.contact_id == delivery.contact_id,
            Subscription.list_id.in_([m.id for m in delivery.campaign.lists]),
            Subscription.channel == delivery.campaign.channel)):
        subscriptions.withdraw(session, sub, evidence)
    subscriptions.deactivate_if_unsubscribed(session, session.get(Contact, delivery.contact_id))
    session.flush()


def _failures(msg: Message) -> tuple[set[str], set[str]]:
    temporary, permanent = all_failures(msg)
    return _texts(temporary), _texts(permanent)


def _texts(addresses) -> set[str]:
    return {a.decode(errors="replace") if isinstance(a, bytes) else a for a in addresses}


def mark_hard(session, delivery: Delivery, reason: str) -> None:
    """The address does not exist: the delivery is bounced, the address suppressed and the
    contact marked bounced, so no later campaign tries it again."""
    delivery.state = DeliveryState.BOUNCED
    delivery.error = reason[:300]
    webhooks.emit(session, events.BOUNCED, payloads.delivery(delivery, reason[:300]))
    suppression.suppress(session, delivery.address, suppression.Reason.BOUNCED)
    if delivery.contact_id is not None:
        session.execute(update(Contact).where(Contact.id == delivery.contact_id)
                        .values(status=ContactStatus.BOUNCED)
                        .execution_options(synchronize_session=False))
    session.flush()

