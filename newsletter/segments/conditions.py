"""One condition and a whole definition compiled to a SQLAlchemy boolean clause over
``Contact``: columns, JSON attributes and EXISTS subqueries only, so the database decides
membership for every contact at once (no Python loop over contacts).

A definition is ``{"match": "all"|"any", "groups": [{"match": "all"|"any",
"conditions": [{"kind", "op", "key", "value"}]}]}``: the groups are joined by the outer
match, the conditions of a group by its own. Kinds (``KINDS``) and their operators:

- ``field`` (key: email, first_name, last_name, phone, language, status) and
  ``attribute`` (key: the attribute's name): equals, not_equals, contains, starts_with,
  ends_with, empty, not_empty;
- ``organization``: is / is_not (value: id or exact name), empty, not_empty;
- ``list``: member / not_member (confirmed on that list; value: id or exact name);
- ``created``: before / after (value YYYY-MM-DD), within_days (value N);
- ``consent``: has / has_not a granted basis (value: consent, legitimate_interest,
  contract or any);
- ``clicked_campaign``, ``received_campaign``: yes / no (value: campaign id or exact name);
- ``clicked_recently``: yes / no, a click in the last N days (value N);
- ``clicked_ever``: yes / no (``no`` is "never clicked"); ``bounced``: yes / no (a hard
  bounce on any campaign, or the contact marked bounced).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext, lazy_gettext
from sqlalchemy import and_, exists, func, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from newsletter.errors import DomainError
from newsletter.models import (
    Campaign,
    Click,
    ConsentRecord,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryState,
    LegalBasis,
    MailingList,
    Organization,
    Subscription,
    SubscriptionStatus,
)
from newsletter.texts import N_


class SegmentError(DomainError):
    """A definition that cannot be evaluated; ``where`` says which condition (group,
    position), when it is one condition."""

    def __init__(self, message: str, where: tuple[int, int] | None = None):
        super().__init__(message)
        self.where = where


TEXT_OPS = ("equals", "not_equals", "contains", "starts_with", "ends_with", "empty",
            "not_empty")
YES_NO = ("yes", "no")
#: kind -> (label, operators)
KINDS = {
    "field": (lazy_gettext("Contact field"), TEXT_OPS),
    "attribute": (lazy_gettext("Attribute"), TEXT_OPS),
    "organization": (lazy_gettext("Organization"), ("is", "is_not", "empty", "not_empty")),
    "list": (lazy_gettext("List membership"), ("member", "not_member")),
    "created": (lazy_gettext("Contact added"), ("before", "after", "within_days")),
    "consent": (lazy_gettext("Consent basis"), ("has", "has_not")),
    "clicked_campaign": (lazy_gettext("Clicked in campaign"), YES_NO),
    "received_campaign": (lazy_gettext("Received campaign"), YES_NO),
    "clicked_recently": (lazy_gettext("Clicked in the last N days"), YES_NO),
    "clicked_ever": (lazy_gettext("Clicked ever"), YES_NO),
    "bounced": (lazy_gettext("Bounced"), YES_NO),
}
FIELDS = {"email": Contact.email, "first_name": Contact.first_name,
          "last_name": Contact.last_name, "phone": Contact.phone,
          "language": Contact.language, "status": Contact.status}
MAX_CONDITIONS = 50


@dataclass(frozen=True)
class Condition:
    kind: str
    op: str
    key: str = ""
    value: str = ""

    @classmethod
    def from_dict(cls, raw: dict) -> "Condition":
        return cls(kind=str(raw.get("kind", "")), op=str(raw.get("op", "")),
                   key=str(raw.get("key") or "").strip(),
                   value=str(raw.get("value") or "").strip())


def compile_definition(session, definition: dict, now: datetime) -> ColumnElement:
    """The whole definition as one clause over ``Contact``. An empty definition matches
    every contact. Raises SegmentError naming the first bad condition."""
    groups = definition.get("groups") or []
    if sum(len(g.get("conditions") or []) for g in groups) > MAX_CONDITIONS:
        raise SegmentError(gettext("A segment has at most %(num)d conditions.",
                                   num=MAX_CONDITIONS))
    clauses = []
    for g, group in enumerate(groups):
        parts = []
        for c, raw in enumerate(group.get("conditions") or []):
            try:
                parts.append(compile_condition(session, Condition.from_dict(raw), now))
            except SegmentError as exc:
                raise SegmentError(gettext("Group %(group)d, condition %(num)d: %(error)s",
                                           group=g + 1, num=c + 1, error=exc), (g, c)) \
                    from None
        if parts:
            clauses.append(_join(group.get("match"), parts))
    return _join(definition.get("match"), clauses) if clauses else true()


def _join(match, parts: list) -> ColumnElement:
    if match not in ("all", "any"):
        raise SegmentError(gettext("Match must be 'all' or 'any'."))
    return and_(*parts) if match == "all" else or_(*parts)


def compile_condition(session, cond: Condition, now: datetime) -> ColumnElement:
    if cond.kind not in KINDS:
        raise SegmentError(gettext("Unknown kind of condition '%(kind)s'.", kind=cond.kind))
    if cond.op not in KINDS[cond.kind][1]:
        raise SegmentError(gettext("'%(op)s' does not apply to the condition “%(kind)s”.",
                                   op=cond.op, kind=KINDS[cond.kind][0]))
    return _COMPILERS[cond.kind](session, cond, now)


def _text(column, cond: Condition) -> ColumnElement:
    op, value = cond.op, cond.value
    if op == "empty":
        return or_(column.is_(None), column == "")
    if op == "not_empty":
        return and_(column.is_not(None), column != "")
    if not value:
        raise SegmentError(gettext("Give a value to compare with."))
    lowered = func.lower(column)
    if op == "equals":
        return lowered == value.lower()
    if op == "not_equals":
        return or_(column.is_(None), lowered != value.lower())
    pattern = {"contains": "%{}%", "starts_with": "{}%", "ends_with": "%{}"}[op]
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return lowered.like(pattern.format(escaped), escape="\\")


def _field(session, cond: Condition, now) -> ColumnElement:
    if cond.key not in FIELDS:
        raise SegmentError(gettext("Choose a contact field: %(fields)s.",
                                   fields=", ".join(FIELDS)))
    return _text(FIELDS[cond.key], cond)


def _attribute(session, cond: Condition, now) -> ColumnElement:
    if not cond.key:
        raise SegmentError(gettext("Name the attribute."))
    return _text(Contact.attributes[cond.key].as_string(), cond)


NOT_FOUND = {"organization": N_("No organization '%(value)s'."),
             "list": N_("No list '%(value)s'."), "campaign": N_("No campaign '%(value)s'.")}
SEVERAL = {
    "organization": N_("Several organizations are called '%(value)s'; give its number (#id)."),
    "list": N_("Several lists are called '%(value)s'; give its number (#id)."),
    "campaign": N_("Several campaigns are called '%(value)s'; give its number (#id)."),
}


def _resolve(session, model, value: str, what: str) -> int:
    """An id (digits, optionally after '#') or an exact name that only one row has."""
    token = value.lstrip("#")
    if token.isdigit():
        found = session.get(model, int(token)) if int(token) < 2**31 else None
        if found is None:
            raise SegmentError(gettext(NOT_FOUND[what], value=value))
        return found.id
    ids = session.scalars(select(model.id).where(model.name == value).limit(2)).all()
    if not ids:
        raise SegmentError(gettext(NOT_FOUND[what], value=value))
    if len(ids) > 1:
        raise SegmentError(gettext(SEVERAL[what], value=value))
    return ids[0]


#: kinds whose value names a row, and the model and word for it
REFERENCES = {"organization": (Organization, "organization"), "list": (MailingList, "list"),
              "clicked_campaign": (Campaign, "campaign"),
              "received_campaign": (Campaign, "campaign")}


def pin_references(session, definition: dict) -> dict:
    """The definition with every named list, organization and campaign replaced by its
    number (#id), so renaming one later does not change or break the segment."""
    for group in definition.get("groups") or []:
        for cond in group.get("conditions") or []:
            ref = REFERENCES.get(cond.get("kind"))
            if ref and cond.get("value") and cond.get("op") not in ("empty", "not_empty"):
                cond["value"] = f"#{_resolve(session, ref[0], cond['value'], ref[1])}"
    return definition


def _organization(session, cond: Condition, now) -> ColumnElement:
    if cond.op in ("empty", "not_empty"):
        return (Contact.organization_id.is_(None) if cond.op == "empty"
                else Contact.organization_id.is_not(None))
    org_id = _resolve(session, Organization, cond.value, "organization")
    if cond.op == "is":
        return Contact.organization_id == org_id
    return or_(Contact.organization_id.is_(None), Contact.organization_id != org_id)


def _list(session, cond: Condition, now) -> ColumnElement:
    list_id = _resolve(session, MailingList, cond.value, "list")
    member = exists().where(Subscription.contact_id == Contact.id,
                            Subscription.list_id == list_id,
                            Subscription.status == SubscriptionStatus.CONFIRMED)
    return member if cond.op == "member" else not_(member)


def _days(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) <= 36500:
        raise SegmentError(gettext("Give a number of days (1 or more)."))
    return int(value)


def _created(session, cond: Condition, now) -> ColumnElement:
    if cond.op == "within_days":
        return Contact.created_at >= now - timedelta(days=_days(cond.value))
    try:
        day = datetime.combine(date.fromisoformat(cond.value), datetime.min.time())
    except ValueError:
        raise SegmentError(gettext("Give a date as YYYY-MM-DD.")) from None
    if cond.op == "before":
        return Contact.created_at < day
    return Contact.created_at >= day + timedelta(days=1)


def _consent(session, cond: Condition, now) -> ColumnElement:
    if cond.value not in (*LegalBasis.ALL, "any"):
        raise SegmentError(gettext("Choose a basis: %(bases)s or any.",
                                   bases=", ".join(LegalBasis.ALL)))
    bases = LegalBasis.ALL if cond.value == "any" else (cond.value,)
    has = exists().where(ConsentRecord.contact_id == Contact.id,
                         ConsentRecord.action == "granted",
                         ConsentRecord.legal_basis.in_(bases))
    return has if cond.op == "has" else not_(has)


def _clicked(*where) -> ColumnElement:
    """A click by the contact (clicks point at the delivery of the message clicked)."""
    return exists().where(Delivery.contact_id == Contact.id,
                          Click.delivery_id == Delivery.id, *where)


def _yes(cond: Condition, clause) -> ColumnElement:
    return clause if cond.op == "yes" else not_(clause)


def _clicked_campaign(session, cond: Condition, now) -> ColumnElement:
    campaign_id = _resolve(session, Campaign, cond.value, "campaign")
    return _yes(cond, _clicked(Delivery.campaign_id == campaign_id))


def _received_campaign(session, cond: Condition, now) -> ColumnElement:
    campaign_id = _resolve(session, Campaign, cond.value, "campaign")
    return _yes(cond, exists().where(Delivery.contact_id == Contact.id,
                                     Delivery.campaign_id == campaign_id,
                                     Delivery.state == DeliveryState.SENT))


def _clicked_recently(session, cond: Condition, now) -> ColumnElement:
    since = now - timedelta(days=_days(cond.value))
    return _yes(cond, _clicked(Click.clicked_at >= since))


def _clicked_ever(session, cond: Condition, now) -> ColumnElement:
    return _yes(cond, _clicked())


def _bounced(session, cond: Condition, now) -> ColumnElement:
    bounced = or_(Contact.status == ContactStatus.BOUNCED,
                  exists().where(Delivery.contact_id == Contact.id,
                                 Delivery.state == DeliveryState.BOUNCED))
    return _yes(cond, bounced)


_COMPILERS = {
    "field": _field, "attribute": _attribute, "organization": _organization,
    "list": _list, "created": _created, "consent": _consent,
    "clicked_campaign": _clicked_campaign, "received_campaign": _received_campaign,
    "clicked_recently": _clicked_recently, "clicked_ever": _clicked_ever,
    "bounced": _bounced,
}
