"""The consent report (seed 004, 3.2.1): the recipients of a campaign who have no recorded
consent or legitimate interest (left out when it starts), and recording a basis for some
of them, as evidence on a consent record with who recorded it."""

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select

from newsletter.campaigns import recipients
from newsletter.campaigns.drafts import CampaignError, get_campaign
from newsletter.models import ConsentRecord, Contact, LegalBasis, Subscription, SubscriptionStatus
from newsletter.platform import audit
from newsletter.platform.csvcells import safe_cell

PAGE_SIZE = 50


@dataclass
class Missing:
    total: int
    contacts: list[Contact]
    page: int
    pages: int


def missing_basis(session, campaign_id: int, page: int = 1) -> Missing:
    """One page of the campaign's recipients without a recorded basis, by address."""
    campaign = get_campaign(session, campaign_id)
    rows = recipients.recipient_rows(campaign, basis=False).subquery()
    total = session.scalar(select(func.count()).select_from(rows))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    contacts = list(session.scalars(
        select(Contact).join(rows, rows.c.contact_id == Contact.id)
        .order_by(rows.c.address).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return Missing(total=total, contacts=contacts, page=page, pages=pages)


def report_csv(session, campaign_id: int, actor: str) -> str:
    """The whole report as CSV (address, name, added), to find the evidence elsewhere;
    personal data, so the download goes to the audit log. The caller commits."""
    campaign = get_campaign(session, campaign_id)
    rows = recipients.recipient_rows(campaign, basis=False).subquery()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["address", "first_name", "last_name", "added"])
    count = 0
    for contact in session.scalars(select(Contact).join(rows, rows.c.contact_id == Contact.id)
                                   .order_by(rows.c.address)):
        writer.writerow([safe_cell(v or "") for v in (
            contact.email or contact.phone, contact.first_name, contact.last_name,
            contact.created_at.strftime("%Y-%m-%d"))])
        count += 1
    audit.record_export(session, actor, "consent",
                        f"campaign {campaign.id} “{campaign.name}”: recipients without a basis",
                        count)
    return out.getvalue()


def record_basis(session, campaign_id: int, contact_ids: list[int], legal_basis: str,
                 source: str, actor: str) -> int:
    """Record ``legal_basis`` for the chosen contacts on the campaign's lists they are
    confirmed on (only contacts of this campaign's report). Returns how many got one."""
    if legal_basis not in LegalBasis.ALL:
        raise CampaignError(gettext("Choose consent, legitimate interest or contract."))
    source = " ".join(source.split())
    if not source:
        raise CampaignError(gettext("Say where the consent or interest comes from (e.g. "
                                    "'customers of the e-shop, orders 2024')."))
    campaign = get_campaign(session, campaign_id)
    rows = recipients.recipient_rows(campaign, basis=False).subquery()
    allowed = set(session.scalars(select(rows.c.contact_id).where(
        rows.c.contact_id.in_(contact_ids))))
    if not allowed:
        raise CampaignError(gettext("Choose at least one contact from the list."))
    subs = session.execute(select(Subscription.contact_id, Subscription.list_id).where(
        Subscription.contact_id.in_(allowed), Subscription.channel == campaign.channel,
        Subscription.status == SubscriptionStatus.CONFIRMED,
        Subscription.list_id.in_([m.id for m in campaign.lists]))).all()
    for contact_id, list_id in subs:
        session.add(ConsentRecord(contact_id=contact_id, list_id=list_id,
                                  channel=campaign.channel, action="granted",
                                  legal_basis=legal_basis,
                                  source=f"{source} (recorded by {actor})"[:200]))
    session.flush()
    return len(allowed)
