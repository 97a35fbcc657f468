"""Test sends of an SMS campaign: its text, merged with a chosen contact's data (or sample
data), to one or more numbers. Each test message is charged to the quota before it goes
(refused when the quota is empty) and refunded when the gateway does not take it."""

import logging

from flask_babel import gettext

from newsletter.campaigns import drafts
from newsletter.channels.base import DeliveryError, Messenger, OutgoingMessage
from newsletter.content.composer import ComposerError
from newsletter.models import Contact, utcnow
from newsletter.sms import numbers, quota
from newsletter.sms.parts import split

from .messages import Recipient
from .sms import RecipientSkipped, SmsText, merge_data
from .testsend import merge_contact, split_targets

log = logging.getLogger(__name__)
SAMPLE = Recipient(delivery_id=0, campaign_id=0, address="", contact_id=0, first_name="Jana",
                   last_name="Nováková", organization="Example s.r.o.", language="sk")


def parse_numbers(text: str) -> list[str]:
    items = split_targets(text, phones=True)
    try:
        return list(dict.fromkeys(numbers.sms_target(n) for n in items))
    except numbers.InvalidPhone as exc:
        raise ComposerError(str(exc).capitalize(), field="addresses") from None


def request_test(session, campaign_id: int, numbers_text: str,
                 contact_email: str = "") -> tuple[list[str], int | None]:
    """Check a test send; the caller commits, then enqueues ``jobs.send_test``."""
    campaign = drafts.get_campaign(session, campaign_id)
    targets = parse_numbers(numbers_text)
    contact_id = merge_contact(session, contact_email)
    try:
        needed = split(SmsText(campaign).message(merge_data(SAMPLE))).count * len(targets)
    except RecipientSkipped as exc:
        raise ComposerError(gettext("The text cannot be sent: %(reason)s", reason=exc),
                            field="addresses") from None
    available = quota.balance(session).available
    if needed > available:
        raise ComposerError(gettext(
            "The SMS quota cannot cover the test: about %(needed)d parts needed, "
            "%(available)d available.", needed=needed, available=available),
            field="addresses")
    campaign.tested_at = utcnow()
    session.flush()
    return targets, contact_id


def send_test(session, campaign_id: int, targets: list[str], contact_id: int | None, *,
              messenger: Messenger) -> None:
    campaign = drafts.get_campaign(session, campaign_id)
    contact = session.get(Contact, contact_id) if contact_id else None
    who = SAMPLE if contact is None else Recipient(
        delivery_id=0, campaign_id=campaign_id, address="", contact_id=contact.id,
        first_name=contact.first_name, last_name=contact.last_name,
        language=contact.language, attributes=contact.attributes,
        organization=contact.organization.name if contact.organization else None)
    text = SmsText(campaign)
    for target in targets:
        try:
            body = text.message(merge_data(who))
        except RecipientSkipped as exc:
            log.warning("SMS test of campaign %s not sent: %s", campaign_id, exc)
            return
        parts = split(body).count
        try:
            quota.charge(session, campaign_id, parts, note=f"test to {target}")
        except quota.QuotaExceeded as exc:
            session.rollback()
            log.warning("SMS test of campaign %s to %s not sent: %s", campaign_id, target, exc)
            return
        session.commit()
        try:
            messenger.send(OutgoingMessage(campaign.sms_sender, target, body.encode()))
        except DeliveryError as exc:
            quota.refund(session, campaign_id, parts, note=f"test to {target} failed: {exc}")
            session.commit()
            log.warning("SMS test of campaign %s to %s failed: %s", campaign_id, target, exc)
