"""/api/v1/segments: saved segments (list, create, read, update, delete) and their live
count, through the same domain functions as the admin's segment editor."""

from newsletter.extensions import db
from newsletter.models import Segment
from newsletter.segments import segments
from newsletter.segments.conditions import SegmentError

from .resource_schemas import Deleted
from .schemas import Page
from .segment_schemas import SegmentCount, SegmentIn, SegmentOut, SegmentPage, SegmentPatch
from .v1 import ApiError, endpoint, page_by_id, responses, spec, v1

TAGS = ["segments"]


def segment_out(segment: Segment) -> SegmentOut:
    return SegmentOut(id=segment.id, name=segment.name, description=segment.description,
                      definition=segment.definition or segments.EMPTY,
                      created_at=segment.created_at, updated_at=segment.updated_at)


def _segment(segment_id: int) -> Segment:
    segment = db.session.get(Segment, segment_id)
    if segment is None:
        raise ApiError(404, "not_found", "That segment does not exist.")
    return segment


def _save(segment_id: int | None, name: str, description: str, definition: dict) -> Segment:
    """Save, answering a condition that cannot be evaluated as a field error naming it."""
    try:
        return segments.save_segment(db.session, segment_id, name=name,
                                     description=description, definition=definition)
    except SegmentError as exc:
        if exc.where is not None:
            field = "definition.groups.{}.conditions.{}".format(*exc.where)
        else:
            field = "name" if not name.strip() else "definition"
        raise ApiError(422, "invalid_request", str(exc), {field: [str(exc)]}) from None


@v1.get("/segments")
@endpoint("segments", "read")
@spec.validate(query=Page, resp=responses(HTTP_200=SegmentPage), tags=TAGS)
def get_segments(query: Page):
    """Saved segments, oldest first, a page at a time (cursor)."""
    rows, next_cursor = page_by_id(Segment, query.limit, query.cursor)
    return SegmentPage(data=[segment_out(s) for s in rows], next_cursor=next_cursor)


@v1.post("/segments")
@endpoint("segments", "write", idempotent=True)
@spec.validate(json=SegmentIn, resp=responses(HTTP_201=SegmentOut), tags=TAGS)
def create_segment(json: SegmentIn):
    """A saved segment; the definition is checked (a bad condition is named)."""
    segment = _save(None, json.name, json.description, json.definition.model_dump())
    return segment_out(segment), 201


@v1.get("/segments/<int:segment_id>")
@endpoint("segments", "read")
@spec.validate(resp=responses(HTTP_200=SegmentOut), tags=TAGS)
def get_segment(segment_id: int):
    """One segment."""
    return segment_out(_segment(segment_id))


@v1.patch("/segments/<int:segment_id>")
@endpoint("segments", "write")
@spec.validate(json=SegmentPatch, resp=responses(HTTP_200=SegmentOut), tags=TAGS)
def update_segment(segment_id: int, json: SegmentPatch):
    """Change the name, description or definition (the fields given)."""
    segment = _segment(segment_id)
    definition = (json.definition.model_dump() if json.definition is not None
                  else segment.definition or segments.EMPTY)
    return segment_out(_save(segment_id, json.name if json.name is not None else segment.name,
                             json.description if json.description is not None
                             else segment.description, definition))


@v1.delete("/segments/<int:segment_id>")
@endpoint("segments", "write")
@spec.validate(resp=responses(HTTP_200=Deleted), tags=TAGS)
def delete_segment(segment_id: int):
    """Delete; refused (422) while a campaign still to start uses it as its audience."""
    _segment(segment_id)
    try:
        segments.delete_segment(db.session, segment_id)
    except SegmentError as exc:
        raise ApiError(422, "refused", str(exc)) from None
    return Deleted(id=segment_id, message="Segment deleted.")


@v1.get("/segments/<int:segment_id>/count")
@endpoint("segments", "read")
@spec.validate(resp=responses(HTTP_200=SegmentCount), tags=TAGS)
def count_segment(segment_id: int):
    """How many contacts the segment matches now (one COUNT in the database)."""
    segment = _segment(segment_id)
    try:
        found = segments.count(db.session, segment.definition or segments.EMPTY)
    except SegmentError as exc:  # a list or campaign it names was deleted since
        raise ApiError(422, "refused", str(exc)) from None
    return SegmentCount(id=segment_id, count=found)
