"""What SMS gateways hand back: delivery receipts move a sent SMS to delivered or failed,
and replies go to ``audience.sms_replies`` (an inbound "STOP" ends that number's SMS
subscriptions). One entry per kind of gateway, one rule for all of them:

- a receipt moves only a delivery that is ``sent`` (never one already delivered or failed:
  a late or repeated receipt changes nothing); a failed one keeps its ``sent_at`` (its
  parts were sent and stay charged: ``sms.quota``) and says why in ``error``, and
  "resend to failed" sends it again;
- a receipt for a delivery whose outcome is not in the database yet (still in a worker's
  journal) raises ``NotYetSent``: the gateway is asked to hand it over again later. An
  SMPP receipt whose message id no delivery has (a test send's) is ignored.

SMPP receipts quote the SMSC's message id (``Delivery.message_id``, the last part's);
the HTTP gateway's quote the delivery id, signed (``Purpose.SMS_REPORT``)."""

import logging
import re
from dataclasses import dataclass

from sqlalchemy import select, update

from newsletter.audience import sms_replies
from newsletter.models import Campaign, Channel, Delivery, DeliveryState
from newsletter.platform import tokens
from newsletter.platform.tokens import Purpose
from newsletter.webhooks import events
from newsletter.webhooks import outbox as webhooks

log = logging.getLogger(__name__)
#: SMPP 3.4 appendix B final states: delivered (True) or not (False); others are not final
SMPP_STATES = {"DELIVRD": True, "UNDELIV": False, "EXPIRED": False, "REJECTD": False,
               "DELETED": False}
#: Kannel DLR types: 1 delivered to the phone, 2 not delivered, 16 refused by the SMSC
KANNEL_TYPES = {1: True, 2: False, 16: False}
_RECEIPT = re.compile(r"\bid:(?P<id>\S+).*?\bstat:(?P<stat>[A-Z]+)(?:.*?\berr:(?P<err>\w+))?",
                      re.IGNORECASE | re.DOTALL)
UNFINISHED = (DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.DEFERRED)


class NotYetSent(Exception):
    """The receipt's delivery has no recorded outcome yet: offer the receipt again later."""


@dataclass(frozen=True)
class SmppReceipt:
    message_id: str
    state: str  # DELIVRD, UNDELIV, ...
    error: str

    @property
    def delivered(self) -> bool | None:
        return SMPP_STATES.get(self.state.upper())


def parse_smpp_receipt(text: str) -> SmppReceipt | None:
    """The ``id:... stat:... err:...`` text of a ``deliver_sm`` receipt (SMPP 3.4 B)."""
    found = _RECEIPT.search(text or "")
    if found is None:
        return None
    return SmppReceipt(found["id"], found["stat"].upper(), found["err"] or "")


def record(session, delivery_id: int, delivered: bool, detail: str, *, gateway: str = "",
           receipt_id: str | None = None) -> bool:
    """Move one sent SMS delivery to delivered or failed; True when it moved. A delivered
    one is reported to the webhooks (``sms.delivered``). The caller commits."""
    state = session.scalar(select(Delivery.state).join(Campaign).where(
        Delivery.id == delivery_id, Campaign.channel == Channel.SMS))
    if state is None:
        log.warning("SMS receipt for unknown delivery %s ignored", delivery_id)
        return False
    if state in UNFINISHED:
        raise NotYetSent(f"delivery {delivery_id} is {state}")
    values = {"state": DeliveryState.DELIVERED, "error": None} if delivered else \
        {"state": DeliveryState.FAILED, "error": f"delivery report: {detail}"[:300]}
    moved = session.execute(
        update(Delivery).where(Delivery.id == delivery_id,
                               Delivery.state == DeliveryState.SENT)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if moved and delivered:
        _report_delivered(session, delivery_id, gateway, receipt_id)
    return bool(moved)


def _report_delivered(session, delivery_id: int, gateway: str, receipt_id: str | None):
    row = session.execute(select(Delivery.address, Delivery.campaign_id, Delivery.contact_id,
                                 Campaign.sms_gateway).join(Campaign)
                          .where(Delivery.id == delivery_id)).one()
    webhooks.emit(session, events.SMS_DELIVERED, {
        "number": row.address, "receipt_id": receipt_id, "gateway": gateway or row.sms_gateway,
        "delivery_id": delivery_id, "campaign_id": row.campaign_id,
        "contact_id": row.contact_id})


def record_signed(session, token: str, kannel_type: int) -> bool:
    """The HTTP gateway's report: the signed delivery id and Kannel's DLR type. A type
    that is not final (buffered, accepted by the SMSC) changes nothing. InvalidToken for
    a token we did not sign."""
    delivery_id = tokens.verify(Purpose.SMS_REPORT, token)
    delivered = KANNEL_TYPES.get(kannel_type)
    if delivered is None or not isinstance(delivery_id, int):
        return False
    return record(session, delivery_id, delivered, f"Kannel DLR type {kannel_type}")


def report_token(delivery_id: int) -> str:
    return tokens.sign(Purpose.SMS_REPORT, delivery_id)


def inbound_token(gateway: str) -> str:
    """The secret part of a gateway's reply URL (/sms/inbound/<token>)."""
    return tokens.sign(Purpose.SMS_INBOUND, gateway)


def gateway_of(token: str) -> str:
    """The gateway a reply URL was made for, or InvalidToken."""
    gateway = tokens.verify(Purpose.SMS_INBOUND, token)
    if not isinstance(gateway, str):
        raise tokens.InvalidToken()
    return gateway


def record_smpp(session, gateway: str, receipt: SmppReceipt) -> bool:
    """An SMPP receipt: the delivery of this gateway's campaigns with that message id."""
    delivered = receipt.delivered
    if delivered is None:
        return False
    delivery_id = session.scalar(select(Delivery.id).join(Campaign).where(
        Delivery.message_id == receipt.message_id, Campaign.sms_gateway == gateway,
        Campaign.channel == Channel.SMS).order_by(Delivery.id.desc()).limit(1))
    if delivery_id is None:  # a test send's, or one no campaign of ours sent
        log.info("SMS receipt for unknown message id %r ignored", receipt.message_id)
        return False
    detail = f"{receipt.state}" + (f" (error {receipt.error})" if receipt.error else "")
    return record(session, delivery_id, delivered, detail, gateway=gateway,
                  receipt_id=receipt.message_id)


def handle_deliver(session, gateway: str, number: str, text: str, receipt: bool) -> str:
    """One ``deliver_sm`` of an SMPP gateway (a receipt or a reply), or an HTTP gateway's
    reply: what happened, for the log. NotYetSent when it must be offered again. The
    caller commits."""
    if receipt:
        parsed = parse_smpp_receipt(text)
        if parsed is None:
            return f"unreadable receipt from {number} ignored: {text[:80]!r}"
        moved = record_smpp(session, gateway, parsed)
        return f"receipt {parsed.message_id} {parsed.state}: " + (
            "delivery updated" if moved else "nothing to change")
    ended = sms_replies.handle_reply(session, number, text, f"SMS reply via {gateway}")
    return f"reply from {number}: {ended} SMS subscription(s) ended"


class Inbox:
    """What an SMPP gateway hands a sending worker while it sends (receipts, replies): kept
    (and acknowledged) during the run, whose session is busy, and handled after it, when
    the run's outcomes are in the database. A worker killed in between loses them."""

    def __init__(self):
        self.items: list[tuple[str, str, bool]] = []

    def __call__(self, number: str, text: str, receipt: bool) -> None:
        self.items.append((number, text, receipt))

    def handle(self, session, gateway: str) -> None:
        items, self.items = self.items, []
        for number, text, receipt in items:
            try:
                log.info("%s", handle_deliver(session, gateway, number, text, receipt))
                session.commit()
            except NotYetSent as exc:
                session.rollback()
                log.warning("SMS receipt dropped: %s", exc)
