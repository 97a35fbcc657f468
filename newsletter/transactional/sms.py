"""Transactional SMS: one text from an SMS campaign's text (its sender and gateway) merged
with data, to one phone number. Accepting it checks the number against the numbering plan
(``sms.numbers``: E.164, a mobile number), the suppression list, and the merged text (the
sandbox, the part cap), and charges its parts to the SMS quota in the same transaction
(refused when the quota cannot cover them). The worker sends it through the campaign's
gateway (outbox, SMPP or Kannel: ``channels.sms_gateways``) like a campaign's SMS; a
message that finally cannot be sent gets its parts back."""

from flask_babel import gettext

from newsletter.channels.base import DeliveryError, Messenger, OutgoingMessage
from newsletter.models import (
    Campaign,
    Channel,
    TransactionalMessage,
    TransactionalState,
    utcnow,
)
from newsletter.sending.sms import RecipientSkipped, SmsText
from newsletter.sms import numbers, quota
from newsletter.sms.parts import split
from newsletter.texts import N_, stored

from .errors import TransactionalError


def template(session, template_id: int) -> Campaign:
    campaign = session.get(Campaign, template_id)
    if campaign is None or campaign.channel != Channel.SMS:
        raise TransactionalError(gettext("No SMS template (SMS campaign) has that id."),
                                 "template_id")
    if not (campaign.sms_text or "").strip():
        raise TransactionalError(gettext("The SMS template has no text."), "template_id")
    return campaign


def text_for(campaign: Campaign, number: str, data: dict) -> str:
    """The text as sent, or RecipientSkipped (merge tags, empty, over the part cap)."""
    return SmsText(campaign).message({**data, "data": data, "phone": number, "email": None})


def target(address: str) -> str:
    try:
        return numbers.sms_target(address)
    except numbers.InvalidPhone as exc:
        raise TransactionalError(str(exc).capitalize(), "to") from None


def accept(session, campaign: Campaign, number: str, data: dict,
           api_key_id: int | None) -> TransactionalMessage:
    """The message row with its parts charged to the quota; the caller commits."""
    try:
        text = text_for(campaign, number, data)
    except RecipientSkipped as exc:
        raise TransactionalError(gettext("The template could not be filled: %(problem)s",
                                         problem=exc), "data") from None
    parts = split(text).count
    message = TransactionalMessage(
        template_id=campaign.id, api_key_id=api_key_id, channel=Channel.SMS, address=number,
        data=data, state=TransactionalState.QUEUED, attempts=0, subject=text[:300],
        sms_parts=parts)
    session.add(message)
    session.flush()
    try:
        quota.charge(session, None, parts, note=f"transactional SMS #{message.id} to {number}",
                     actor="api")
    except quota.QuotaExceeded as exc:
        raise TransactionalError(str(exc), "to") from None
    return message


def send(session, message: TransactionalMessage, messenger: Messenger, *, final: bool):
    """One attempt; returns (state, retry, error). The caller commits."""
    campaign = message.template
    if campaign is None:
        return fail(session, message, stored(N_("The template was deleted before the "
                                                "message went out.")))
    try:
        text = text_for(campaign, message.address, message.data or {})
    except RecipientSkipped as exc:
        return fail(session, message, stored(N_("The template could not be filled: "
                                                "%(problem)s"), problem=exc))
    message.attempts += 1
    try:
        reply = messenger.send(OutgoingMessage(campaign.sms_sender, message.address,
                                               text.encode()))
    except DeliveryError as exc:
        message.error = message.smtp_reply = str(exc)[:300]
        if exc.permanent or final:
            return fail(session, message, str(exc))
        message.state = TransactionalState.DEFERRED
        return message.state, True, str(exc)
    message.state, message.sent_at = TransactionalState.SENT, utcnow()
    message.smtp_reply, message.error = str(reply or "")[:300], None
    return message.state, False, ""


def fail(session, message: TransactionalMessage, error: str):
    message.state, message.error = TransactionalState.FAILED, error[:300]
    if message.sms_parts:
        quota.refund(session, None, message.sms_parts,
                     note=f"transactional SMS #{message.id} not sent: {error}"[:500])
    return message.state, False, error
