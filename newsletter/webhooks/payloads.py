"""The ``data`` of each event: the same shape wherever the event happens."""

from newsletter.models import Campaign, Delivery, Subscription


def subscription(sub: Subscription, source: str | None = None) -> dict:
    contact = sub.contact
    return {"subscription_id": sub.id, "contact_id": sub.contact_id,
            "email": contact.email, "phone": contact.phone, "list_id": sub.list_id,
            "list_name": sub.mailing_list.name, "channel": sub.channel,
            "status": sub.status, "source": source}


def delivery(row: Delivery, reason: str | None = None) -> dict:
    return {"delivery_id": row.id, "campaign_id": row.campaign_id,
            "contact_id": row.contact_id, "address": row.address, "reason": reason}


def campaign(row: Campaign, **extra) -> dict:
    return {"campaign_id": row.id, "name": row.name, "channel": row.channel,
            "started_at": row.started_at, "finished_at": row.finished_at, **extra}
