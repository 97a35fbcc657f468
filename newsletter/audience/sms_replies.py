"""Replies to SMS (seed 002, the issue's "STOP"): an inbound "STOP" from a number
unsubscribes every contact with that number (main or typed phone) from SMS on every list,
each withdrawal recorded in the contact's consent history. A number no contact has (an
extra recipient typed on a campaign) is suppressed instead, so no campaign reaches it.
(Delivery receipts are ``sending.sms_receipts``'.)"""

import logging

from sqlalchemy import or_, select

from newsletter.models import (
    Channel,
    Contact,
    ContactPhone,
    Subscription,
    SubscriptionStatus,
)
from newsletter.sms import numbers

from . import suppression
from .subscriptions import Evidence, deactivate_if_unsubscribed, withdraw

log = logging.getLogger(__name__)
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "END", "CANCEL", "QUIT", "STOPP"})


def is_stop(text: str) -> bool:
    words = (text or "").strip().upper().split()
    return bool(words) and words[0].strip(".!") in STOP_WORDS


def handle_reply(session, number: str, text: str, source: str = "SMS reply") -> int:
    """Act on an inbound SMS; returns the SMS subscriptions it ended (0 when the text is no
    STOP or the number is not ours). The caller commits."""
    if not is_stop(text):
        return 0
    try:
        number = numbers.to_e164(number if number.startswith("+") else f"+{number}")
    except numbers.InvalidPhone:
        log.warning("STOP from an unreadable number %r ignored", number)
        return 0
    typed = select(ContactPhone.contact_id).where(ContactPhone.number == number)
    contacts = list(session.scalars(select(Contact).where(
        or_(Contact.phone == number, Contact.id.in_(typed)))))
    if not contacts:
        suppression.suppress(session, number, suppression.Reason.UNSUBSCRIBED)
        return 0
    evidence = Evidence(ip=None, user_agent=None, source=f"{source}: STOP from {number}")
    ended = 0
    for contact in contacts:
        subs = session.scalars(select(Subscription).where(
            Subscription.contact_id == contact.id, Subscription.channel == Channel.SMS,
            Subscription.status != SubscriptionStatus.UNSUBSCRIBED))
        ended += sum(withdraw(session, sub, evidence) for sub in subs)
        deactivate_if_unsubscribed(session, contact)
    session.flush()
    return ended
