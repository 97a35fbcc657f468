"""Request and response models of /api/v1/webhooks."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from newsletter.webhooks.events import EVENTS

from .schemas import Name, Strict, Timestamp

Event = Literal[tuple(EVENTS)]  # type: ignore[valid-type]
Url = Annotated[str, StringConstraints(min_length=8, max_length=2000,
                                       pattern=r"^https?://[^\x00-\x20\x7f]+$")]


class WebhookIn(Strict):
    name: Annotated[Name, StringConstraints(min_length=1)]
    url: Url = Field(description="Gets a signed JSON POST per event (see the description "
                                 "of the API for the Newsletter-Signature header).")
    events: list[Event] = Field(min_length=1, max_length=len(EVENTS))


class WebhookOut(BaseModel):
    id: int
    name: str
    url: str
    events: list[str]
    paused: bool
    paused_reason: str | None
    consecutive_failures: int
    created_at: Timestamp


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signs the requests; shown in this answer only.")


class WebhookPage(BaseModel):
    data: list[WebhookOut]
    next_cursor: str | None


class WebhookQueued(BaseModel):
    id: int
    message: str
