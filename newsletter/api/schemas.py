"""The API's request and response models (pydantic). spectree validates requests against
them and writes them into the OpenAPI document; strings refuse control characters (and so
the NUL that PostgreSQL cannot store), ids stay within what a database integer holds."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

#: the database keeps naive UTC; the API says so (RFC 3339 with the offset)
Timestamp = Annotated[datetime, AfterValidator(
    lambda d: d if d.tzinfo else d.replace(tzinfo=UTC))]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Line = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^\x00-\x1f\x7f]*$")]
Source = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
Name = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
Text = Annotated[str, StringConstraints(max_length=2000,
                                        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
Key = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                       pattern=r"^[A-Za-z0-9_.-]+$")]
Value = Annotated[str, StringConstraints(max_length=500, pattern=r"^[^\x00\x7f]*$")]
Attributes = Annotated[dict[Key, Value], Field(max_length=50)]
#: a language code as the models keep it (at most 8 characters)
Language = Annotated[str, StringConstraints(max_length=8,
                                            pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")]
Channel = Literal["email", "sms"]
LegalBasis = Literal["consent", "legitimate_interest", "contract"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict,
                                         description="Messages by field name")


class Error(BaseModel):
    """Every error the API answers has this shape."""

    error: ErrorBody


class Page(Strict):
    limit: int = Field(50, ge=1, le=500)
    cursor: Annotated[str, StringConstraints(max_length=40)] | None = None


# --- lists --------------------------------------------------------------------------------
class ListIn(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200,
                                           pattern=r"^[^\x00-\x1f\x7f]*$")]
    description: Text = ""
    visibility: Literal["public", "private"] = "private"
    optin: Literal["single", "double"] = "double"
    language: Language = "en"
    purpose: Annotated[str, StringConstraints(max_length=200,
                                              pattern=r"^[^\x00-\x1f\x7f]*$")] = ""
    channels: list[Channel] = Field(default_factory=lambda: ["email"], min_length=1,
                                    max_length=2)


class ListOut(BaseModel):
    id: int
    key: str = Field(description="The public id in signup URLs")
    name: str
    description: str
    visibility: str
    optin: str
    language: str
    purpose: str
    channels: list[str]
    created_at: Timestamp


class ListPage(BaseModel):
    data: list[ListOut]
    next_cursor: str | None


# --- contacts -----------------------------------------------------------------------------
class ContactFields(Strict):
    email: Line | None = None
    phone: Annotated[str, StringConstraints(max_length=32,
                                            pattern=r"^[^\x00-\x1f\x7f]*$")] | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    language: Annotated[str, StringConstraints(max_length=8,
                                               pattern=r"^[^\x00-\x1f\x7f]*$")] | None = None
    attributes: Attributes | None = None
    organization_id: Id | None = None
    branch_id: Id | None = None
    person_id: Id | None = None


class ContactPatch(ContactFields):
    status: Literal["inactive", "archived"] | None = Field(
        None, description="Set aside (archived) or inactive; never made active again here")


class ContactOut(BaseModel):
    id: int
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    language: str
    status: str
    attributes: dict
    organization_id: int | None
    branch_id: int | None
    person_id: int | None
    created_at: Timestamp


class ContactPage(BaseModel):
    data: list[ContactOut]
    next_cursor: str | None


class ContactSearch(Page):
    q: Line = ""
    list_id: Id | None = None
    status: Literal["active", "inactive", "bounced", "erased", "archived"] | None = None
    language: Annotated[str, StringConstraints(max_length=8,
                                               pattern=r"^[^\x00-\x1f\x7f]*$")] = ""


class UpsertOut(BaseModel):
    created: bool
    contact: ContactOut


class BulkRow(Strict):
    email: Line | None = Field(None, description="The key; without it, the phone is")
    phone: Annotated[str, StringConstraints(max_length=32,
                                            pattern=r"^[^\x00-\x1f\x7f]*$")] | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    language: Annotated[str, StringConstraints(max_length=8,
                                               pattern=r"^[^\x00-\x1f\x7f]*$")] | None = None
    attributes: Attributes | None = None


class BulkIn(Strict):
    contacts: list[BulkRow] = Field(min_length=1, max_length=10_000)
    list_id: Id | None = Field(None, description="Subscribe new contacts to this list")
    legal_basis: LegalBasis = "consent"
    source: Source = "api"


class LeftOut(BaseModel):
    index: int = Field(description="The row's position in contacts")
    email: str | None
    phone: str | None


class BulkOut(BaseModel):
    received: int
    created: int
    updated: int
    skipped: int
    duplicates: int
    subscribed: int
    over_limit: int = Field(description="New addresses past the plan's contact limit: not "
                                        "created (the call stops at the limit)")
    left_out: list[LeftOut] = Field(description="Those rows")
    rejected: int = Field(description="Rows that cannot be used (errors says why); the "
                                      "others were applied")
    errors: dict[str, list[str]] = Field(description="Messages by row: contacts.<index>")


class ErasedOut(BaseModel):
    id: int
    status: str


# --- subscriptions and consent ------------------------------------------------------------
class SubscribeIn(Strict):
    list_id: Id
    channel: Channel = "email"
    legal_basis: LegalBasis = "consent"
    source: Source = "api"


class UnsubscribeIn(Strict):
    list_id: Id
    channel: Channel = "email"
    source: Source = "api"


class SubscriptionOut(BaseModel):
    id: int
    list_id: int
    channel: str
    status: str
    created_at: Timestamp
    confirmed_at: Timestamp | None
    unsubscribed_at: Timestamp | None


class SubscriptionList(BaseModel):
    data: list[SubscriptionOut]


class ConsentOut(BaseModel):
    id: int
    list_id: int | None
    channel: str
    action: str
    legal_basis: str
    source: str
    created_at: Timestamp


class ConsentList(BaseModel):
    data: list[ConsentOut]
