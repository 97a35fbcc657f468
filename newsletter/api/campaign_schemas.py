"""The API's campaign models (pydantic): created from composer blocks or from HTML."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .schemas import Id, Language, Line, Strict, Text, Timestamp

Html = Annotated[str, StringConstraints(max_length=200_000,
                                        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class Block(Strict):
    type: Literal["heading", "text", "image", "button", "divider", "columns", "html"]
    text: Text = ""
    text2: Text = ""
    url: Line = ""
    label: Line = ""


class CampaignIn(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200,
                                           pattern=r"^[^\x00-\x1f\x7f]*$")]
    subject: Annotated[str, StringConstraints(min_length=1, max_length=300,
                                              pattern=r"^[^\x00-\x1f\x7f]*$")]
    list_ids: list[Id] = Field(min_length=1, max_length=50)
    blocks: list[Block] | None = Field(None, max_length=60,
                                       description="Composer blocks; or give html")
    html: Html | None = Field(None, description="The body as HTML (sanitized)")
    sender_id: Id | None = None
    segment_id: Id | None = Field(None, description="A saved segment narrowing the lists' "
                                                    "recipients to its contacts")
    language: Language = "en"
    track_opens: bool = False
    public_archive: bool = False

    @model_validator(mode="after")
    def _one_body(self):
        if (self.blocks is None) == (self.html is None):
            raise ValueError("Give either blocks or html.")
        return self


class CampaignPatch(Strict):
    segment_id: Id | None = Field(description="The audience: a saved segment narrowing the "
                                              "lists' recipients, or null for everyone on "
                                              "the lists")


class CampaignOut(BaseModel):
    id: int
    name: str
    subject: str
    status: str
    channel: str
    language: str
    list_ids: list[int]
    segment_id: int | None
    send_at: Timestamp | None
    started_at: Timestamp | None
    finished_at: Timestamp | None
    tested_at: Timestamp | None
    created_at: Timestamp


class CampaignPage(BaseModel):
    data: list[CampaignOut]
    next_cursor: str | None


class TestSendIn(Strict):
    addresses: list[Line] = Field(min_length=1, max_length=10)
    contact_email: Line = Field("", description="Render with this contact's data")


class ScheduleIn(Strict):
    send_at: Timestamp = Field(description="When to start (UTC unless an offset is given)")


class Accepted(BaseModel):
    id: int
    status: str
    message: str


class CampaignStats(BaseModel):
    """The status tab's numbers: deliveries per state, progress and rate."""

    model_config = ConfigDict(extra="allow")
    status: str
    recipients: int
    queued: int
    sent: int
    failed: int
    bounced: int
    blocked: int
    cancelled: int
    progress: float
    rate_per_minute: int
    unsubscribed: int
