"""Matching recipient rows against the block list (seed 001).

An entry fills some of a recipient row's fields (organization, branch, person, e-mail,
phone) and names the channels it forbids. It matches a row when every field it fills equals
the row's field and the row's channel is among its channels. A branch implies its
organization, so rows take their organization from their branch when they have none.

Matching is set-based: entries are grouped by *shape* (which fields they fill), and each
shape becomes one equi-join of the rows against the entries of exactly that shape, so the
database can hash-join a million rows against a hundred thousand entries. The lowest
matching entry id is the one reported."""

from sqlalchemy import String, and_, exists, func, select, union_all, update
from sqlalchemy.orm import aliased, selectinload

from newsletter.models import (
    BlocklistChannel,
    BlocklistEntry,
    Branch,
    Campaign,
    Channel,
    Contact,
    Delivery,
    DeliveryState,
)

from .entries import FIELDS, entry_loads


def _shapes(session, channel: str) -> list[tuple[str, ...]]:
    """The distinct combinations of filled fields among entries forbidding ``channel``."""
    filled = [getattr(BlocklistEntry, f).is_not(None).label(f) for f in FIELDS]
    rows = session.execute(
        select(*filled).distinct()
        .join(BlocklistChannel, BlocklistChannel.entry_id == BlocklistEntry.id)
        .where(BlocklistChannel.channel == channel)
    )
    return [tuple(f for f in FIELDS if getattr(row, f)) for row in rows]


def matches(session, rows, channel: str):
    """(row_id, entry_id) for the lowest-id entry matching each blocked row of ``rows`` (a
    subquery with columns row_id and the five fields), or None when no entry could match."""
    branches, dialect = [], session.get_bind().dialect.name
    for shape in _shapes(session, channel):
        entry = aliased(BlocklistEntry)
        on = [getattr(entry, f) == getattr(rows.c, f) for f in shape]
        on += [_absent(getattr(entry, f), dialect) for f in FIELDS if f not in shape]
        forbids = exists().where(BlocklistChannel.entry_id == entry.id,
                                 BlocklistChannel.channel == channel)
        branches.append(
            select(rows.c.row_id, entry.id.label("entry_id"))
            .join(entry, and_(*on)).where(forbids)
        )
    if not branches:
        return None
    found = union_all(*branches).subquery("found")
    return (
        select(found.c.row_id, func.min(found.c.entry_id).label("entry_id"))
        .group_by(found.c.row_id)
        .subquery("matched")
    )


def _absent(column, dialect: str):
    """``column IS NULL``. On SQLite in a form no index serves (``+ 0``, ``|| ''``): its
    planner would otherwise pick the index of a mostly-NULL column and loop over nearly every
    entry. PostgreSQL keeps the plain form, whose selectivity its statistics know."""
    if dialect == "sqlite":
        column = column.concat("") if isinstance(column.type, String) else column + 0
    return column.is_(None)


def _delivery_rows(campaign: Campaign, delivery_ids: list[int] | None):
    """A campaign's pending deliveries as recipient rows. The address is the row's e-mail
    (or phone, for SMS); the other one comes from the contact behind the delivery."""
    d, branch, contact = aliased(Delivery), aliased(Branch), aliased(Contact)
    is_email = campaign.channel == Channel.EMAIL
    stmt = (
        select(
            d.id.label("row_id"),
            func.coalesce(d.organization_id, branch.organization_id).label("organization_id"),
            d.branch_id.label("branch_id"),
            d.person_id.label("person_id"),
            (d.address if is_email else contact.email).label("email"),
            (contact.phone if is_email else d.address).label("phone"),
        )
        .select_from(d)
        .outerjoin(branch, branch.id == d.branch_id)
        .outerjoin(contact, contact.id == d.contact_id)
        .where(d.campaign_id == campaign.id, d.state.in_(DeliveryState.PENDING))
    )
    if delivery_ids is not None:
        stmt = stmt.where(d.id.in_(delivery_ids))
    return stmt.subquery("rows")


def mark_blocked(session, campaign_id: int, delivery_ids: list[int] | None = None) -> int:
    """Move the campaign's queued/deferred/sending deliveries (optionally only ``delivery_ids``)
    that match the block list to ``blocked``, naming the entry. One UPDATE; returns how many."""
    campaign = session.get(Campaign, campaign_id)
    if delivery_ids is not None and not delivery_ids:
        return 0
    matched = matches(session, _delivery_rows(campaign, delivery_ids), campaign.channel)
    if matched is None:
        return 0
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == matched.c.row_id, Delivery.state.in_(DeliveryState.PENDING))
        .values(state=DeliveryState.BLOCKED, blocked_by_id=matched.c.entry_id,
                claimed_by=None, lease_until=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def blocked_deliveries(session, campaign_id: int, limit: int = 200) -> list[Delivery]:
    """The campaign's blocked deliveries with the entries that blocked them."""
    return list(session.scalars(
        select(Delivery)
        .where(Delivery.campaign_id == campaign_id, Delivery.state == DeliveryState.BLOCKED)
        .options(selectinload(Delivery.blocked_by).options(*entry_loads()))
        .order_by(Delivery.address)
        .limit(limit)
    ))
