"""Accepting a transactional message: the template exists and is e-mail (or SMS, for the
channel sms: ``sms``), the address is valid and not suppressed for a hard bounce, a spam
complaint or an erasure, and the data fills the template's merge tags (rendered once here,
so an error is answered at once, not found later by the worker). The send job goes out
when the caller commits (``outbox``)."""

from flask_babel import gettext
from sqlalchemy import select

from newsletter.audience import suppression
from newsletter.audience.addresses import InvalidAddress, normalize_email
from newsletter.content import rendering, themes, webview
from newsletter.models import (
    Campaign,
    Channel,
    Suppression,
    TransactionalMessage,
    TransactionalState,
)

from . import outbox, sms
from .errors import TransactionalError

#: suppressed for these reasons, an address gets no transactional mail either (an
#: unsubscribe from lists does not stop an order confirmation)
REFUSED_REASONS = (suppression.Reason.BOUNCED, suppression.Reason.COMPLAINT,
                   suppression.Reason.ERASED)


def template(session, template_id: int) -> Campaign:
    campaign = session.get(Campaign, template_id)
    if campaign is None or campaign.channel != Channel.EMAIL:
        raise TransactionalError(gettext("No e-mail template (campaign) has that id."),
                                 "template_id")
    return campaign


def merge_data(address: str, data: dict) -> dict:
    """The template's variables: the data's keys, also under ``data``, and ``email``."""
    return {**data, "data": data, "email": address}


def render(campaign: Campaign, address: str, data: dict, language: str | None,
           base_url: str) -> rendering.Rendered:
    """The message as the recipient gets it: no unsubscribe, profile or tracking links
    (it is not list mail)."""
    content = webview.content_for(campaign, language)
    return rendering.render(content, themes.style(campaign.theme), merge_data(address, data),
                            rendering.Links(base_url=base_url))


def request_message(session, template_id: int, address: str, data: dict,
                    language: str | None, api_key_id: int | None,
                    base_url: str, channel: str = Channel.EMAIL) -> TransactionalMessage:
    if channel == Channel.SMS:
        campaign = sms.template(session, template_id)
        number = sms.target(address or "")
        _check_suppressed(session, number)
        message = sms.accept(session, campaign, number, data, api_key_id)
        outbox.add(session, message.id)
        return message
    campaign = template(session, template_id)
    try:
        address = normalize_email(address or "")
    except InvalidAddress as exc:
        raise TransactionalError(str(exc), "to") from None
    _check_suppressed(session, address)
    try:
        rendered = render(campaign, address, data, language, base_url)
    except rendering.RenderError as exc:
        raise TransactionalError(gettext("The template could not be filled: %(problem)s",
                                         problem=exc), "data") from None
    message = TransactionalMessage(
        template_id=campaign.id, api_key_id=api_key_id, address=address, language=language,
        data=data, state=TransactionalState.QUEUED, attempts=0,
        subject=rendered.subject[:300])
    session.add(message)
    session.flush()
    outbox.add(session, message.id)
    return message


def _check_suppressed(session, address: str) -> None:
    row = session.scalar(select(Suppression).where(
        Suppression.address_hash == suppression.address_hash(address)))
    if row is not None and row.reason in REFUSED_REASONS:
        raise TransactionalError(gettext("%(address)s gets no messages from us (%(reason)s).",
                                         address=address, reason=row.reason), "to")
