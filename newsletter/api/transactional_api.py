"""/api/v1/transactional: send one message (e-mail or SMS) from a template to one
recipient (queued for a worker; send an Idempotency-Key so a retried request sends once),
and read its state."""

from typing import Annotated

from flask import current_app, g
from pydantic import BaseModel, Field, StringConstraints

from newsletter.extensions import db
from newsletter.models import TransactionalMessage
from newsletter.transactional import requests

from .schemas import Channel, Id, Key, Language, Strict, Timestamp
from .v1 import ApiError, endpoint, responses, spec, v1

TAGS = ["transactional"]
DataValue = str | int | float | bool | None
Address = Annotated[str, StringConstraints(min_length=3, max_length=254,
                                           pattern=r"^[^\x00-\x20\x7f]+$")]


class TransactionalIn(Strict):
    channel: Channel = Field("email", description="email, or sms: the template is then an "
                                                  "SMS campaign and ``to`` a phone number")
    template_id: Id = Field(description="A campaign whose subject, body, theme and sender "
                                        "are the template (SMS: its text, sender and "
                                        "gateway)")
    to: Address = Field(description="An e-mail address, or for sms a mobile number with "
                                    "its country code (E.164, +421905123456)")
    data: Annotated[dict[Key, DataValue], Field(max_length=100)] = Field(
        default_factory=dict, description="Merge-tag values: {{ order_id }} or "
                                          "{{ data.order_id }} in the template")
    language: Language | None = None


class TransactionalOut(BaseModel):
    id: int
    channel: str
    template_id: int | None
    to: str
    state: str = Field(description="queued, deferred, sent or failed")
    subject: str | None = Field(description="As sent; for an SMS, its text")
    sms_parts: int | None = Field(description="SMS: the parts charged to the quota")
    attempts: int
    error: str | None
    created_at: Timestamp
    sent_at: Timestamp | None


def message_out(row: TransactionalMessage) -> TransactionalOut:
    return TransactionalOut(id=row.id, channel=row.channel, template_id=row.template_id,
                            to=row.address, state=row.state, subject=row.subject,
                            sms_parts=row.sms_parts, attempts=row.attempts,
                            error=row.error, created_at=row.created_at, sent_at=row.sent_at)


@v1.post("/transactional")
@endpoint("transactional", "write", idempotent=True)
@spec.validate(json=TransactionalIn, resp=responses(HTTP_202=TransactionalOut), tags=TAGS)
def send_transactional(json: TransactionalIn):
    """Send one message from a template with data to one address, through the sending
    engine (the sender's rate limit, DKIM); a worker sends it at once. With channel sms,
    one text from an SMS campaign to one mobile number through its gateway: its parts are
    charged to the SMS quota when it is accepted (refused when the quota cannot cover
    them) and given back if it finally cannot be sent."""
    message = requests.request_message(
        db.session, json.template_id, json.to, json.data, json.language, g.api_key.id,
        current_app.config["BASE_URL"], channel=json.channel)
    return message_out(message), 202  # the send job follows the commit


@v1.get("/transactional/<int:message_id>")
@endpoint("transactional", "read")
@spec.validate(resp=responses(HTTP_200=TransactionalOut), tags=TAGS)
def get_transactional(message_id: int):
    """One transactional message and what became of it."""
    row = db.session.get(TransactionalMessage, message_id)
    if row is None:
        raise ApiError(404, "not_found", "That message does not exist.")
    return message_out(row)
