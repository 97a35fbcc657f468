"""Request and response models of the block list, SMS quota, sender identities and
imports under /api/v1."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from spectree.model_adapter.pydantic_adapter import BaseFile

from .schemas import Id, LegalBasis, Line, Source, Strict, Text, Timestamp

Ref = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


# --- block list ---------------------------------------------------------------------------
class BlocklistIn(Strict):
    organization: Ref = Field("", description="An organization's id or exact name")
    branch: Ref = Field("", description="A branch's id or exact name")
    person: Ref = Field("", description="A person's id or exact name")
    email: Line = ""
    phone: Annotated[str, StringConstraints(max_length=20,
                                            pattern=r"^[0-9+ ()/-]*$")] = ""
    channels: list[Literal["email", "sms"]] = Field(min_length=1, max_length=2)
    note: Text = ""


class BlocklistOut(BaseModel):
    id: int
    organization_id: int | None
    branch_id: int | None
    person_id: int | None
    email: str | None
    phone: str | None
    channels: list[str]
    note: str
    created_at: Timestamp


class BlocklistPage(BaseModel):
    data: list[BlocklistOut]
    next_cursor: str | None


class Deleted(BaseModel):
    id: int
    message: str


# --- SMS quota and sender identities -------------------------------------------------------
class Movement(BaseModel):
    kind: str
    amount: int
    campaign_id: int | None
    note: str
    created_at: Timestamp


class SmsQuotaOut(BaseModel):
    available: int = Field(description="SMS parts that can still be reserved")
    reserved: int = Field(description="Parts held by running campaigns")
    alphanumeric_sender: bool = Field(description="Whether a name may be the sender")
    movements: list[Movement] = Field(description="The latest movements, newest first")


class SenderOut(BaseModel):
    id: int
    name: str
    from_name: str
    from_email: str
    reply_to: str | None
    rate_limit: int
    rate_period: str
    dkim_domain: str | None
    dkim_selector: str | None
    dkim_configured: bool = Field(description="A DKIM key is set (the key is never shown)")
    website_url: str | None
    created_at: Timestamp


class SenderPage(BaseModel):
    data: list[SenderOut]
    next_cursor: str | None


# --- imports ------------------------------------------------------------------------------
class ImportForm(BaseModel):
    file: BaseFile = Field(description="CSV (a header row names the columns: email, "
                                       "first_name, ...) or XML")
    list_id: Id
    legal_basis: LegalBasis = "consent"
    source: Source = Field("API import", description="Where the contacts came from")


class ImportOut(BaseModel):
    id: int
    list_id: int
    filename: str
    format: str
    status: str = Field(description="uploaded, queued, running, finished or failed")
    percent: int
    rows_total: int
    created: int
    subscribed: int
    duplicates: int
    suppressed: int
    invalid: int
    error: str | None
    mapping: list[str] = Field(description="The target of each column, as guessed")
    created_at: Timestamp
    finished_at: Timestamp | None


class ImportIssueOut(BaseModel):
    line: int
    reason: str
    value: str


class ImportIssues(BaseModel):
    data: list[ImportIssueOut]
