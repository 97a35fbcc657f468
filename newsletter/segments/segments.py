"""Saved segments: create, edit, delete (refused while a campaign that has not finished
uses it), the live count, and the clause campaigns use to narrow their recipients. A
saved definition names lists, organizations and campaigns by number (#id), so renaming
them changes nothing."""

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from newsletter.models import Campaign, CampaignStatus, Contact, ContactStatus, Segment, utcnow

from .conditions import SegmentError, compile_definition, pin_references

EMPTY = {"match": "all", "groups": []}


def normalized(definition: dict) -> dict:
    """The stored shape: the outer and group matches, and per condition its four strings;
    groups without conditions are dropped."""
    groups = []
    for group in definition.get("groups") or []:
        conditions = [{name: str(c.get(name) or "").strip()
                       for name in ("kind", "op", "key", "value")}
                      for c in group.get("conditions") or []]
        if conditions:
            groups.append({"match": group.get("match") or "all", "conditions": conditions})
    return {"match": definition.get("match") or "all", "groups": groups}


def matches(session, definition: dict, now: datetime | None = None) -> ColumnElement:
    """The definition as a clause over ``Contact`` (validated: raises SegmentError)."""
    return compile_definition(session, definition, now or utcnow())


def count(session, definition: dict, now: datetime | None = None) -> int:
    """How many contacts (erased ones aside) the definition matches now: one COUNT."""
    clause = matches(session, normalized(definition), now)
    return session.scalar(select(func.count()).select_from(Contact).where(
        Contact.status != ContactStatus.ERASED, clause))


def save_segment(session, segment_id: int | None, *, name: str, description: str,
                 definition: dict, created_by_id: int | None = None) -> Segment:
    """Create or update; the definition is checked by compiling it."""
    name = name.strip()
    if not name:
        raise SegmentError(gettext("Give the segment a name."))
    definition = normalized(definition)
    matches(session, definition)  # names the first bad condition
    definition = pin_references(session, definition)
    if segment_id is None:
        segment = Segment(created_by_id=created_by_id)
        session.add(segment)
    else:
        segment = get_segment(session, segment_id)
    segment.name, segment.description = name, description.strip()
    segment.definition = definition
    session.flush()
    return segment


def get_segment(session, segment_id: int) -> Segment:
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise SegmentError(gettext("That segment does not exist."))
    return segment


def list_segments(session) -> list[Segment]:
    return list(session.scalars(select(Segment).order_by(Segment.name)))


def users_of(session, segment_id: int) -> list[Campaign]:
    """Campaigns that will still evaluate the segment (drafts, scheduled, held)."""
    return list(session.scalars(select(Campaign).where(
        Campaign.segment_id == segment_id,
        Campaign.status.in_((CampaignStatus.DRAFT, CampaignStatus.SCHEDULED,
                             CampaignStatus.REVIEW))).order_by(Campaign.id)))


def delete_segment(session, segment_id: int) -> None:
    """Refused while a campaign still to start uses it: that campaign would silently go
    to its whole lists instead."""
    segment = get_segment(session, segment_id)
    using = users_of(session, segment_id)
    if using:
        names = ", ".join(f"'{c.name}'" for c in using[:5])
        raise SegmentError(gettext("The segment is the audience of %(names)s; choose "
                                   "another audience there first.", names=names))
    session.delete(segment)
    session.flush()
