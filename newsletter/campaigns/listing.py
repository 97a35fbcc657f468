"""The campaign list: search by name or subject, filter by state and list, sort, pages.
A sequence's messages (each step's template and the campaigns that carry its sends) are
the sequence's, listed on its page, not here."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from newsletter.models import Campaign, CampaignStatus, SequenceStep, StepCampaign, campaign_list

STATES = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.REVIEW,
          CampaignStatus.RUNNING, CampaignStatus.PAUSED, CampaignStatus.FINISHED,
          CampaignStatus.CANCELLED)
#: sort key -> (label, ORDER BY)
SORTS = {
    "newest": ("Newest first", (Campaign.id.desc(),)),
    "oldest": ("Oldest first", (Campaign.id.asc(),)),
    "name": ("Name A–Z", (func.lower(Campaign.name).asc(), Campaign.id.desc())),
    "sent": ("Last sent first", (Campaign.started_at.is_(None), Campaign.started_at.desc(),
                                 Campaign.id.desc())),
    "scheduled": ("Next scheduled first", (Campaign.send_at.is_(None),
                                           Campaign.send_at.asc(), Campaign.id.desc())),
}
PER_PAGE = 25


@dataclass
class CampaignPage:
    campaigns: list[Campaign]
    total: int  # matching the filters, on every page
    page: int
    pages: int


def search(session, *, query: str = "", state: str = "", list_id: int | None = None,
           sort: str = "newest", page: int = 1, per_page: int = PER_PAGE) -> CampaignPage:
    """One page of the campaigns matching the filters (an unknown sort is "newest")."""
    where = [Campaign.id.not_in(select(SequenceStep.template_campaign_id)),
             Campaign.id.not_in(select(StepCampaign.campaign_id))]
    if query.strip():
        like = f"%{query.strip().lower()}%"
        where.append(or_(func.lower(Campaign.name).like(like),
                         func.lower(Campaign.subject).like(like)))
    if state in STATES:
        where.append(Campaign.status == state)
    if list_id:
        where.append(Campaign.id.in_(select(campaign_list.c.campaign_id)
                                     .where(campaign_list.c.list_id == list_id)))
    total = session.scalar(select(func.count()).select_from(Campaign).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    order = SORTS.get(sort, SORTS["newest"])[1]
    rows = session.scalars(select(Campaign).where(*where).order_by(*order)
                           .offset((page - 1) * per_page).limit(per_page))
    return CampaignPage(list(rows), total, page, pages)
