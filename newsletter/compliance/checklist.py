"""The pre-send checklist (seed 004): shown on the campaign page before Send and run
again when the campaign starts. Each item is ok, a notice (the editor is told, nothing to
confirm), a warning (sending asks for confirmation) or blocking (the start is refused and
the item says why)."""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from newsletter.campaigns import recipients
from newsletter.campaigns.drafts import get_campaign
from newsletter.models import (
    Campaign,
    ContactImport,
    MailingList,
    Subscription,
    campaign_list,
    utcnow,
)
from newsletter.platform import limits

from . import review, unsubscribe
from .domain import cached_result, check_sender
from .items import BLOCKING, NOTICE, OK, WARNING, Item

__all__ = ["BLOCKING", "NOTICE", "OK", "WARNING", "Checklist", "Item", "run"]

FRESH_IMPORT = timedelta(days=1)


@dataclass
class Checklist:
    campaign_id: int
    items: list[Item] = field(default_factory=list)
    left_out: int = 0  # recipients without a recorded basis

    def at(self, level: str) -> list[Item]:
        return [item for item in self.items if item.level == level]

    @property
    def blocking(self) -> list[Item]:
        return self.at(BLOCKING)

    @property
    def warnings(self) -> list[Item]:
        return self.at(WARNING)


def run(session, campaign_id: int, refresh: bool = False) -> Checklist:
    """Every check of the campaign, in the order the page shows them. The sending domain's
    checks are redone when ``refresh`` (at start) and their cache is stale; otherwise
    (pages, which never write) the cached result is shown, whatever its age."""
    campaign = get_campaign(session, campaign_id)
    checklist = Checklist(campaign_id)
    checklist.items.append(unsubscribe_item(campaign))
    consent, checklist.left_out = consent_item(session, campaign)
    checklist.items.append(consent)
    checklist.items.extend(first_send_items(session, campaign))
    checklist.items.extend(fresh_import_items(session, campaign))
    checklist.items.append(content_item(session, campaign))
    checklist.items.extend(plan_items(session, campaign))
    if campaign.sender_id and current_app.config["SENDER_CHECKS"]:
        checklist.items.extend(domain_items(session, campaign.sender_id, refresh))
    return checklist


def domain_items(session, sender_id: int, refresh: bool) -> list[Item]:
    if refresh:
        return check_sender(session, sender_id).items
    cached = cached_result(session, sender_id)
    if cached is None:
        return [Item("domain", NOTICE, gettext(
            "The sending domain is checked when the campaign starts (or now, with Check on "
            "the sender page)."))]
    minutes = int(cached.age.total_seconds() // 60)
    return [Item("domain", NOTICE, ngettext(
        "Sending domain checked %(num)d minute ago (checked again at start when older than "
        "the limit).",
        "Sending domain checked %(num)d minutes ago (checked again at start when older than "
        "the limit).", minutes))] + cached.items


def unsubscribe_item(campaign: Campaign) -> Item:
    texts = [(campaign.body_html, campaign.body_text)] + [
        (v.get("body_html", ""), v.get("body_text", "")) for v in campaign.variants.values()]
    base_url = current_app.config["BASE_URL"]
    fakes = [link for html, text in texts
             for link in unsubscribe.look_alikes(html, text, base_url)]
    if fakes:
        named = ", ".join(sorted({link.href for link in fakes}))
        return Item("unsubscribe", WARNING, gettext(
            "An unsubscribe link that is not the platform's own does not count (%(links)s): "
            "it unsubscribes nobody here. The platform's link is appended to the footer; "
            "remove yours so recipients see one.", links=named))
    return Item("unsubscribe", NOTICE, gettext(
        "The platform's unsubscribe link is appended to the footer of every message; it is "
        "the only one that counts."))


def consent_item(session, campaign: Campaign) -> tuple[Item, int]:
    def count(basis):
        rows = recipients.recipient_rows(campaign, basis=basis).subquery()
        return session.scalar(select(func.count()).select_from(rows))

    total, missing = count(None), count(False)
    if not total:
        return Item("consent", OK, gettext("No list recipients to check.")), 0
    extras = bool(campaign.extra_recipients.strip())
    if missing == total and not extras:
        return Item("consent", BLOCKING, ngettext(
            "None of the %(num)d recipients has a recorded consent or legitimate interest: "
            "record a basis or choose other lists.",
            "None of the %(num)d recipients has a recorded consent or legitimate interest: "
            "record a basis or choose other lists.", total)), missing
    if missing:
        return Item("consent", WARNING, ngettext(
            "%(num)d of %(total)d recipients has no recorded consent or legitimate interest "
            "and will be left out.",
            "%(num)d of %(total)d recipients have no recorded consent or legitimate interest "
            "and will be left out.", missing, total=total)), missing
    return Item("consent", OK, ngettext(
        "%(num)d recipient has a recorded consent or legitimate interest.",
        "All %(num)d recipients have a recorded consent or legitimate interest.", total)), 0


def content_item(session, campaign: Campaign) -> Item:
    """The content review: matches hold the campaign for a reviewer when it is sent."""
    found = review.findings_of(session, campaign)
    if not found:
        return Item("content", OK, gettext("The content matches no review category."))
    names = ", ".join(sorted({f.name for f in found}))
    if review.cleared(session, campaign):
        last = review.latest(session, campaign.id)
        return Item("content", OK, gettext("Matches %(names)s; approved by a reviewer: "
                                           "%(note)s", names=names, note=last.note))
    return Item("content", NOTICE, gettext(
        "The content matches %(names)s: sending holds the campaign for a reviewer's "
        "approval.", names=names))


def plan_items(session, campaign: Campaign) -> list[Item]:
    """The plan's e-mail messages or SMS parts per month (platform.limits): a start that
    would pass it is refused with the counts."""
    if campaign.channel == "sms":
        left = limits.remaining(session, "sms_parts_month")
        if left is None:
            return []
        cap = limits.limit(session, "sms_parts_month")
        return [Item("plan", NOTICE if left else BLOCKING, ngettext(
            "%(num)d of the plan's %(cap)d SMS parts a month are left; a start that needs more "
            "is refused.",
            "%(num)d of the plan's %(cap)d SMS parts a month are left; a start that needs more "
            "is refused.", left, cap=cap))]
    if campaign.channel != "email":
        return []
    left = limits.remaining(session, "emails_month")
    if left is None:
        return []
    rows = recipients.recipient_rows(campaign, basis=True).subquery()
    count = session.scalar(select(func.count()).select_from(rows)) + len(
        [a for a in campaign.extra_recipients.splitlines() if a.strip()])
    cap, used = limits.limit(session, "emails_month"), limits.used(session, "emails_month")
    if count > left:
        return [Item("plan", BLOCKING, ngettext(
            "The plan allows %(cap)d e-mail messages a month; %(used)d were sent this month, "
            "so %(left)d are left and this campaign has %(num)d recipient.",
            "The plan allows %(cap)d e-mail messages a month; %(used)d were sent this month, "
            "so %(left)d are left and this campaign has %(num)d recipients.", count,
            cap=cap, used=used, left=left))]
    return [Item("plan", OK, ngettext(
        "%(num)d message fits the plan: %(left)d of %(cap)d are left this month.",
        "%(num)d messages fit the plan: %(left)d of %(cap)d are left this month.", count,
        left=left, cap=cap))]


def _list_ids(campaign: Campaign) -> list[int]:
    return [mlist.id for mlist in campaign.lists]


def first_send_items(session, campaign: Campaign) -> list[Item]:
    """A list no started campaign was ever sent to."""
    mailed = set(session.scalars(
        select(campaign_list.c.list_id).join(Campaign, Campaign.id == campaign_list.c.campaign_id)
        .where(campaign_list.c.list_id.in_(_list_ids(campaign)),
               Campaign.started_at.is_not(None), Campaign.id != campaign.id)))
    never = [m.name for m in campaign.lists if m.id not in mailed]
    if not never:
        return []
    return [Item("first_send", WARNING, gettext(
        "First send to %(lists)s: this list was never mailed. Make sure its contacts expect "
        "mail from you.", lists=", ".join(sorted(never))))]


def fresh_import_items(session, campaign: Campaign) -> list[Item]:
    """Contacts that joined the campaign's lists by an import in the last day."""
    since = utcnow() - FRESH_IMPORT
    imported = select(ContactImport.id).where(
        ContactImport.list_id == Subscription.list_id, ContactImport.created_at >= since,
        ContactImport.created_at <= Subscription.created_at).exists()
    rows = session.execute(
        select(MailingList.name, func.count(Subscription.id))
        .join(Subscription, Subscription.list_id == MailingList.id)
        .where(MailingList.id.in_(_list_ids(campaign)), Subscription.created_at >= since,
               Subscription.channel == campaign.channel, imported)
        .group_by(MailingList.name).order_by(MailingList.name)).all()
    if not rows:
        return []
    parts = ", ".join(gettext("%(count)d on %(list)s", count=count, list=name)
                      for name, count in rows)
    return [Item("fresh_import", WARNING, gettext(
        "Contacts imported in the last day (%(parts)s): a fresh import mailed at once draws "
        "complaints if it was not collected with consent.", parts=parts))]
