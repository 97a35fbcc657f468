"""/api/v1/transactional: send one message from a template to one recipient (queued for a
worker; send an Idempotency-Key so a retried request sends once), and read its state."""

from typing import Annotated

from flask import current_app, g
from pydantic import BaseModel, Field, StringConstraints

from newsletter.extensions import db
from newsletter.models import TransactionalMessage
from newsletter.transactional import requests

from .schemas import Id, Key, Language, Strict, Timestamp
from .v1 import ApiError, endpoint, responses, spec, v1

TAGS = ["transactional"]
DataValue = str | int | float | bool | None
Address = Annotated[str, StringConstraints(min_length=3, max_length=254,
                                           pattern=r"^[^\x00-\x20\x7f]+$")]


class TransactionalIn(Strict):
    template_id: Id = Field(description="A campaign whose subject, body, theme and sender "
                                        "are the template")
    to: Address
    data: Annotated[dict[Key, DataValue], Field(max_length=100)] = Field(
        default_factory=dict, description="Merge-tag values: {{ order_id }} or "
                                          "{{ data.order_id }} in the template")
    language: Language | None = None


class TransactionalOut(BaseModel):
    id: int
    template_id: int | None
    to: str
    state: str = Field(description="queued, deferred, sent or failed")
    subject: str | None
    attempts: int
    error: str | None
    created_at: Timestamp
    sent_at: Timestamp | None


def message_out(row: TransactionalMessage) -> TransactionalOut:
    return TransactionalOut(id=row.id, template_id=row.template_id, to=row.address,
                            state=row.state, subject=row.subject, attempts=row.attempts,
                            error=row.error, created_at=row.created_at, sent_at=row.sent_at)


@v1.post("/transactional")
@endpoint("transactional", "write", idempotent=True)
@spec.validate(json=TransactionalIn, resp=responses(HTTP_202=TransactionalOut), tags=TAGS)
def send_transactional(json: TransactionalIn):
    """Send one message from a template with data to one address, through the sending
    engine (the sender's rate limit, DKIM); a worker sends it at once."""
    message = requests.request_message(
        db.session, json.template_id, json.to, json.data, json.language, g.api_key.id,
        current_app.config["BASE_URL"])
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
