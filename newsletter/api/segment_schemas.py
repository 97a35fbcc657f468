"""The API's models of saved segments (pydantic): a definition is AND/OR groups of
conditions, each a kind, an operator, a key and a value (``newsletter.segments.conditions``
says which kinds and operators exist and checks them)."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from newsletter.segments.conditions import KINDS, MAX_CONDITIONS

from .schemas import Strict, Text, Timestamp

Word = Annotated[str, StringConstraints(max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")]
Ref = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
SegmentName = Annotated[str, StringConstraints(min_length=1, max_length=200,
                                               pattern=r"^[^\x00-\x1f\x7f]*$")]
Match = Literal["all", "any"]
OPERATORS = sorted({op for _label, ops in KINDS.values() for op in ops})


class ConditionIn(Strict):
    kind: Literal[tuple(KINDS)] = Field(description="What the condition looks at")  # type: ignore[valid-type]
    op: Literal[tuple(OPERATORS)] = Field(  # type: ignore[valid-type]
        description="The operator; each kind allows some of them")
    key: Word = Field("", description="The field or attribute name (kinds field, attribute)")
    value: Ref = Field("", description="What to compare with: text, a date (YYYY-MM-DD), "
                                       "a number of days, or a list, organization or "
                                       "campaign by id or exact name")


class GroupIn(Strict):
    match: Match = "all"
    conditions: list[ConditionIn] = Field(min_length=1, max_length=MAX_CONDITIONS)


class DefinitionIn(Strict):
    match: Match = Field("all", description="How the groups are joined")
    groups: list[GroupIn] = Field(default_factory=list, max_length=MAX_CONDITIONS,
                                  description="No groups: every contact")


class SegmentIn(Strict):
    name: SegmentName
    description: Text = ""
    definition: DefinitionIn


class SegmentPatch(Strict):
    name: SegmentName | None = None
    description: Text | None = None
    definition: DefinitionIn | None = None


class SegmentOut(BaseModel):
    id: int
    name: str
    description: str
    definition: dict = Field(description="As stored: lists, organizations and campaigns "
                                         "named by number (#id)")
    created_at: Timestamp
    updated_at: Timestamp | None


class SegmentPage(BaseModel):
    data: list[SegmentOut]
    next_cursor: str | None


class SegmentCount(BaseModel):
    id: int
    count: int = Field(description="Contacts (erased ones aside) the segment matches now")
