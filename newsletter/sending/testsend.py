"""Test sends: the campaign's message to one or more addresses, rendered with a chosen
contact's merge data, "[Test]" in the subject and no list headers."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext, ngettext
from sqlalchemy import func, or_, select

from newsletter.audience import profiles, subscriptions
from newsletter.campaigns import drafts
from newsletter.channels.base import Messenger
from newsletter.content import rendering, webview
from newsletter.content.composer import ComposerError
from newsletter.models import Campaign, Contact, ContactStatus, Subscription, utcnow

from .messages import MessageFactory

MAX_TEST_ADDRESSES = 10


def split_targets(text: str, phones: bool = False) -> list[str]:
    """The entries of a test-send field (separated by commas, semicolons or lines): at
    least one and at most MAX_TEST_ADDRESSES, else a field error naming addresses (or
    phone numbers when ``phones``)."""
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    items = [p for p in parts if p]
    if not items:
        raise ComposerError(gettext("Enter at least one phone number.") if phones
                            else gettext("Enter at least one address."), field="addresses")
    if len(items) > MAX_TEST_ADDRESSES:
        raise ComposerError(ngettext("At most %(num)d test number.",
                                     "At most %(num)d test numbers.", MAX_TEST_ADDRESSES)
                            if phones else
                            ngettext("At most %(num)d test address.",
                                     "At most %(num)d test addresses.", MAX_TEST_ADDRESSES),
                            field="addresses")
    return items


def parse_addresses(text: str) -> list[str]:
    addresses = split_targets(text)
    try:
        return [validate_email(a, check_deliverability=False).normalized for a in addresses]
    except EmailNotValidError as exc:
        raise ComposerError(gettext("Not a valid address: %(error)s", error=exc),
                            field="addresses") from exc


def request_test(session, campaign_id: int, addresses_text: str,
                 contact_email: str = "") -> tuple[list[str], int | None]:
    """Check a test send; the caller commits, then enqueues ``jobs.send_test``."""
    campaign = drafts.get_campaign(session, campaign_id)
    addresses = parse_addresses(addresses_text)
    contact_id = merge_contact(session, contact_email)
    campaign.tested_at = utcnow()
    session.flush()
    return addresses, contact_id


def suggest_contacts(session, typed: str, limit: int = 20) -> list[str]:
    """Addresses for the "merge data of the contact" field as the editor types: contacts
    whose address, first or last name starts with ``typed`` (case-insensitive), never an
    erased one."""
    typed = typed.strip().lower()
    if not typed:
        return []
    prefix = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = or_(*(func.lower(column).like(prefix, escape="\\")
                    for column in (Contact.email, Contact.first_name, Contact.last_name)))
    return list(session.scalars(
        select(Contact.email).where(Contact.email.is_not(None), matches,
                                    Contact.status != ContactStatus.ERASED)
        .order_by(Contact.email).limit(limit)))


def merge_contact(session, contact_email: str) -> int | None:
    """The contact whose merge data a test uses (by e-mail), or None for sample data."""
    if not contact_email.strip():
        return None
    contact_id = session.scalar(select(Contact.id).where(
        Contact.email == contact_email.strip().lower()))
    if contact_id is None:
        raise ComposerError(gettext("No contact has that address."), field="contact")
    return contact_id


def send_test(session, campaign_id: int, addresses: list[str], contact_id: int | None, *,
              messenger: Messenger, base_url: str, default_from: str) -> None:
    """The test message to each address, rendered with the contact's data."""
    campaign = drafts.get_campaign(session, campaign_id)
    contact = session.get(Contact, contact_id) if contact_id else None
    factory = MessageFactory(campaign, base_url=base_url, default_from=default_from)
    links = contact_links(session, campaign, contact, base_url) if contact else None
    rendered = webview.render_test(campaign, contact, base_url, links=links)
    for address in addresses:
        messenger.send(factory.build_test(address, rendered))


def contact_links(session, campaign: Campaign, contact: Contact,
                  base_url: str) -> rendering.Links:
    """The footer of a test mailed with a contact's data: that contact's own unsubscribe
    link (for the campaign's first list they are on, else its first list) and profile
    link, so the editor can follow them as the contact would. The profile link may give
    the contact its code (an UPDATE; the caller commits)."""
    list_ids = [m.id for m in campaign.lists]
    on = set(session.scalars(select(Subscription.list_id).where(
        Subscription.contact_id == contact.id, Subscription.list_id.in_(list_ids))))
    list_id = next((i for i in list_ids if i in on), list_ids[0] if list_ids else None)
    unsubscribe = subscriptions.unsubscribe_url(contact.id, list_id=list_id) \
        if list_id is not None else None
    return rendering.Links(unsubscribe=unsubscribe,
                           profile=profiles.profile_url(session, contact.id),
                           base_url=base_url)
