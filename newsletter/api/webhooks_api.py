"""/api/v1/webhooks: list, register (the secret is in the answer only), read, delete an
endpoint, and send it a test event."""

from flask import current_app

from newsletter.extensions import db
from newsletter.models import WebhookEndpoint
from newsletter.webhooks import endpoints

from .schemas import Page
from .v1 import ApiError, endpoint, page_by_id, responses, spec, v1
from .webhook_schemas import WebhookCreated, WebhookIn, WebhookOut, WebhookPage, WebhookQueued

TAGS = ["webhooks"]


def webhook_out(row: WebhookEndpoint, model=WebhookOut, **extra):
    return model(id=row.id, name=row.name, url=row.url, events=row.events,
                 paused=row.paused_at is not None, paused_reason=row.paused_reason,
                 consecutive_failures=row.consecutive_failures, created_at=row.created_at,
                 **extra)


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    try:
        return endpoints.get_endpoint(db.session, endpoint_id)
    except endpoints.NotFound:
        raise ApiError(404, "not_found", "That webhook endpoint does not exist.") from None


@v1.get("/webhooks")
@endpoint("webhooks", "read")
@spec.validate(query=Page, resp=responses(HTTP_200=WebhookPage), tags=TAGS)
def get_webhooks(query: Page):
    """Webhook endpoints, oldest first, a page at a time (cursor)."""
    rows, next_cursor = page_by_id(WebhookEndpoint, query.limit, query.cursor)
    return WebhookPage(data=[webhook_out(r) for r in rows], next_cursor=next_cursor)


@v1.post("/webhooks")
@endpoint("webhooks", "write", idempotent=True)
@spec.validate(json=WebhookIn, resp=responses(HTTP_201=WebhookCreated), tags=TAGS)
def create_webhook(json: WebhookIn):
    """Register an endpoint for events; the answer carries its signing secret (only
    this once)."""
    new = endpoints.create_endpoint(db.session, None, json.name, json.url, list(json.events),
                                    current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    return webhook_out(new.endpoint, WebhookCreated, secret=new.secret), 201


@v1.get("/webhooks/<int:endpoint_id>")
@endpoint("webhooks", "read")
@spec.validate(resp=responses(HTTP_200=WebhookOut), tags=TAGS)
def get_webhook(endpoint_id: int):
    """One endpoint (without its secret)."""
    return webhook_out(_endpoint(endpoint_id))


@v1.delete("/webhooks/<int:endpoint_id>")
@endpoint("webhooks", "write")
@spec.validate(resp=responses(HTTP_200=WebhookQueued), tags=TAGS)
def delete_webhook(endpoint_id: int):
    """Delete the endpoint with its log; nothing more is sent to it."""
    _endpoint(endpoint_id)
    endpoints.delete_endpoint(db.session, endpoint_id)
    return WebhookQueued(id=endpoint_id, message="Deleted.")


@v1.post("/webhooks/<int:endpoint_id>/test")
@endpoint("webhooks", "write")
@spec.validate(resp=responses(HTTP_202=WebhookQueued), tags=TAGS)
def test_webhook(endpoint_id: int):
    """Send the endpoint a signed ``test`` event (queued; sent by a worker)."""
    _endpoint(endpoint_id)
    endpoints.send_test(db.session, endpoint_id)
    return WebhookQueued(id=endpoint_id, message="A test event is queued."), 202
