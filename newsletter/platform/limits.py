"""Plan limits (seed 003's packages): an owner sets how many contacts, e-mail messages and
SMS parts per month, saved templates, themes and user accounts the installation may have,
and how many senders may sign for their own domain. No value: unlimited (the default).
Each limit is enforced where the action happens (``check``), and the usage page shows
what is used."""

from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select

from newsletter.errors import DomainError
from newsletter.models import (
    Campaign,
    Channel,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryState,
    PlanLimit,
    SavedTemplate,
    SenderIdentity,
    Theme,
    User,
    utcnow,
)

from . import audit

#: key -> label; counted by ``used``
LIMITS = {
    "contacts": lazy_gettext("Active contacts"),
    "emails_month": lazy_gettext("E-mail messages this month"),
    "sms_parts_month": lazy_gettext("SMS parts this month"),
    "templates": lazy_gettext("Saved templates"),
    "themes": lazy_gettext("Themes"),
    "users": lazy_gettext("User accounts"),
    "own_domain": lazy_gettext("Senders signing for their own domain (DKIM)"),
}
#: key -> what is counted, inside a sentence ("The plan allows 5 saved templates")
UNITS = {
    "contacts": lazy_gettext("active contacts"),
    "emails_month": lazy_gettext("e-mail messages this month"),
    "sms_parts_month": lazy_gettext("SMS parts this month"),
    "templates": lazy_gettext("saved templates"),
    "themes": lazy_gettext("themes"),
    "users": lazy_gettext("user accounts"),
    "own_domain": lazy_gettext("senders signing for their own domain (DKIM)"),
}


class LimitReached(DomainError):
    """The plan does not allow it; the message gives the limit and what is used."""


@dataclass(frozen=True)
class Usage:
    key: str
    label: str
    limit: int | None
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


def month_start():
    return utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


#: deliveries that count against the monthly messages: queued, sent or failed on the way,
#: not those the block list stopped, that could not be sent at all, or a cancel took back
NOT_COUNTED = (DeliveryState.BLOCKED, DeliveryState.CANCELLED, DeliveryState.SKIPPED)


def used(session, key: str) -> int:
    queries = {
        "contacts": select(func.count()).where(Contact.status == ContactStatus.ACTIVE),
        "emails_month": select(func.count()).select_from(Delivery)
        .join(Campaign, Campaign.id == Delivery.campaign_id)
        .where(Campaign.channel == Channel.EMAIL, Delivery.created_at >= month_start(),
               Delivery.state.not_in(NOT_COUNTED)),
        "sms_parts_month": select(func.coalesce(func.sum(Delivery.sms_parts), 0))
        .join(Campaign, Campaign.id == Delivery.campaign_id)
        .where(Campaign.channel == Channel.SMS, Delivery.created_at >= month_start(),
               Delivery.state.not_in(NOT_COUNTED)),
        "templates": select(func.count()).select_from(SavedTemplate),
        "themes": select(func.count()).select_from(Theme),
        "users": select(func.count()).where(User.active.is_(True)),
        "own_domain": select(func.count()).where(SenderIdentity.dkim_private_key.is_not(None)),
    }
    return session.scalar(queries[key])


def limit(session, key: str) -> int | None:
    row = session.get(PlanLimit, key)
    return row.value if row else None


def usage(session) -> list[Usage]:
    return [Usage(key, label, limit(session, key), used(session, key))
            for key, label in LIMITS.items()]


def remaining(session, key: str) -> int | None:
    cap = limit(session, key)
    return None if cap is None else max(0, cap - used(session, key))


def check(session, key: str, adding: int = 1) -> None:
    """Raise LimitReached when ``adding`` more would pass the limit."""
    cap = limit(session, key)
    if cap is None:
        return
    now = used(session, key)
    if now + adding > cap:
        raise LimitReached(gettext(
            "The plan allows %(cap)d %(what)s; %(now)d are used, so %(adding)d more do not "
            "fit. An owner can raise the limit.", cap=cap, what=str(UNITS[key]), now=now,
            adding=adding))


def _shown(value: int | None) -> str:
    return "unlimited" if value is None else str(value)


def set_limits(session, values: dict[str, int | None], actor: str) -> None:
    changes = []
    for key in LIMITS:
        value = values.get(key)
        if value is not None and value < 0:
            raise DomainError(gettext("%(limit)s: a limit cannot be negative.",
                                      limit=str(LIMITS[key])))
        before = limit(session, key)
        if before != value:
            changes.append(f"{key}: {_shown(before)} → {_shown(value)}")
        row = session.get(PlanLimit, key) or PlanLimit(key=key)
        row.value = value
        session.add(row)
    if changes:
        audit.record(session, actor, "limits.changed", "plan limits", ", ".join(changes))
    session.flush()
