"""The log of transactional messages the admin shows: the latest first, with counts per
state and template."""

from dataclasses import dataclass

from sqlalchemy import func, select

from newsletter.models import Campaign, TransactionalMessage


@dataclass(frozen=True)
class TemplateCounts:
    template_id: int | None
    name: str
    counts: dict[str, int]


def latest(session, limit: int = 200, state: str | None = None) -> list[TransactionalMessage]:
    query = select(TransactionalMessage).order_by(TransactionalMessage.id.desc()).limit(limit)
    if state:
        query = query.where(TransactionalMessage.state == state)
    return list(session.scalars(query))


def per_template(session) -> list[TemplateCounts]:
    rows = session.execute(
        select(TransactionalMessage.template_id, Campaign.name, TransactionalMessage.state,
               func.count())
        .outerjoin(Campaign, Campaign.id == TransactionalMessage.template_id)
        .group_by(TransactionalMessage.template_id, Campaign.name, TransactionalMessage.state))
    found: dict[int | None, TemplateCounts] = {}
    for template_id, name, state, count in rows:
        entry = found.setdefault(template_id, TemplateCounts(
            template_id, name or "(deleted template)", {}))
        entry.counts[state] = count
    return sorted(found.values(), key=lambda t: t.name)
