"""One campaign message for one recipient, wherever it is shown: in the sent e-mail, in the
browser ("view in browser", /m/<message token>) and in a list's public archive (personal fields
blanked). The glue between the database and the pure renderer."""

from sqlalchemy import select

from newsletter.audience import profiles
from newsletter.errors import DomainError
from newsletter.models import (
    AbTest,
    Campaign,
    CampaignStatus,
    Contact,
    Delivery,
    MailingList,
    campaign_list,
)
from newsletter.platform import tokens
from newsletter.platform.tokens import Purpose
from newsletter.tracking import clicks

from . import rendering, sandbox, themes
from .sandbox import RenderError


class NotPublished(DomainError):
    pass


def content_for(campaign: Campaign, language: str | None) -> rendering.Content:
    """The campaign's content in ``language`` when it has that variant, else the main."""
    variant = (campaign.variants or {}).get(language or "")
    if variant:
        return rendering.Content(subject=variant["subject"], body_html=variant["body_html"],
                                 body_text=variant["body_text"], language=language,
                                 preheader=campaign.preheader)
    return rendering.Content(
        subject=campaign.subject,
        body_html=campaign.body_html or rendering.text_to_html(campaign.body_text),
        body_text=campaign.body_text, language=campaign.language,
        preheader=campaign.preheader)


def merge_data(contact: Contact | None, address: str = "") -> dict:
    if contact is None:
        return {"email": address, "attributes": {}}
    return {
        "first_name": contact.first_name, "last_name": contact.last_name,
        "name": contact.name, "email": contact.email or address,
        "organization": contact.organization.name if contact.organization else None,
        "language": contact.language, "attributes": dict(contact.attributes or {}),
    }


def received_subject(session, delivery: Delivery) -> str:
    """A sent message's subject as its recipient got it: their language's variant, their
    merge tags filled (the stored subject may read "Hi {{ first_name }}")."""
    contact = session.get(Contact, delivery.contact_id) if delivery.contact_id else None
    subject = content_for(delivery.campaign, contact.language if contact else None).subject
    test = session.get(AbTest, delivery.campaign_id) if delivery.variant else None
    if test is not None and delivery.variant <= len(test.subjects):  # an A/B variant's
        subject = test.subjects[delivery.variant - 1]
    try:
        with sandbox.spending():
            return rendering.merge(subject, merge_data(contact, delivery.address),
                                   html=False)
    except RenderError:  # checked at save; never show the raw tags instead
        with sandbox.spending():
            return rendering.merge(subject, {"attributes": {}}, html=False)


def received_messages(session, contact_id: int) -> list[tuple[Delivery, str]]:
    """The profile's "messages you received": each sent delivery with its subject."""
    return [(delivery, received_subject(session, delivery))
            for delivery in profiles.messages_received(session, contact_id)]


def profile_export(session, contact_id: int) -> dict:
    """The profile's JSON export, with the subjects as received."""
    return profiles.export_data(session, contact_id,
                                subject_of=lambda d: received_subject(session, d))


def webview_url(base_url: str, token: str) -> str:
    """The "view in browser" link of the message whose token (clicks.message_token) is
    ``token``."""
    return f"{base_url}/m/{token}"


def footer_links(base_url: str, campaign: Campaign, delivery: Delivery, tracked: bool,
                 token: str) -> rendering.Links:
    """The links of a sent message whose message token is ``token``. The unsubscribe and
    profile URLs follow the fixed conventions of the subscriptions/profiles modules."""
    unsubscribe = tokens.sign(Purpose.UNSUBSCRIBE, {"c": delivery.contact_id,
                                                    "d": delivery.id})
    pixel = clicks.open_pixel_url(base_url, token) \
        if tracked and campaign.track_opens else None
    return rendering.Links(unsubscribe=f"{base_url}/u/{unsubscribe}", profile=None,
                           webview=webview_url(base_url, token), open_pixel=pixel,
                           base_url=base_url)


def render_delivery(session, campaign: Campaign, delivery: Delivery, base_url: str,
                    token: str | None = None) -> rendering.Rendered:
    """The message ``delivery``'s recipient gets: their language, their merge data, links
    tracked unless they opted out of tracking. ``token``: the message token, when the
    caller has it already."""
    token = token or clicks.message_token(campaign.id, delivery.id)
    contact = session.get(Contact, delivery.contact_id) if delivery.contact_id else None
    tracked = contact is None or not contact.tracking_opt_out
    track = clicks.tracker(session, campaign.id, token, base_url, create=False) \
        if tracked else None  # shown on GET: no new link rows
    return rendering.render(
        content_for(campaign, contact.language if contact else None),
        themes.style(campaign.theme), merge_data(contact, delivery.address),
        footer_links(base_url, campaign, delivery, tracked, token), track=track)


def render_test(campaign: Campaign, contact: Contact | None, base_url: str,
                language: str | None = None,
                links: rendering.Links | None = None) -> rendering.Rendered:
    """A test or preview: a chosen contact's merge data (else sample data), no tracking;
    ``links``: the footer links (a test mail for a contact carries that contact's)."""
    data = merge_data(contact) if contact else rendering.sample_merge_data()
    lang = language or (contact.language if contact else None)
    return rendering.render(content_for(campaign, lang), themes.style(campaign.theme), data,
                            links or rendering.Links(base_url=base_url))


def view_in_browser(session, token: str, base_url: str) -> rendering.Rendered:
    """The message a message token names, as its recipient got it (the same links)."""
    campaign_id, delivery_id = clicks.read_message_token(token)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.campaign_id != campaign_id:
        raise tokens.InvalidToken()
    return render_delivery(session, delivery.campaign, delivery, base_url, token)


# --- public archive ---------------------------------------------------------------------
def archived_campaigns(session, list_key: str) -> tuple[MailingList, list[Campaign]]:
    mlist = session.scalar(select(MailingList).where(MailingList.key == list_key))
    if mlist is None:
        raise NotPublished("There is no such list.")
    rows = session.scalars(
        select(Campaign)
        .join(campaign_list, campaign_list.c.campaign_id == Campaign.id)
        .where(campaign_list.c.list_id == mlist.id, Campaign.public_archive.is_(True),
               Campaign.status.in_((CampaignStatus.RUNNING, CampaignStatus.FINISHED)))
        .order_by(Campaign.started_at.desc())
    )
    return mlist, list(rows)


def render_archived(session, list_key: str, campaign_id: int,
                    base_url: str) -> rendering.Rendered:
    """An archived campaign with every personal field blank (fallbacks apply) and no
    personal links."""
    _, published = archived_campaigns(session, list_key)
    campaign = next((c for c in published if c.id == campaign_id), None)
    if campaign is None:
        raise NotPublished("That campaign is not in this list's archive.")
    return rendering.render(content_for(campaign, None), themes.style(campaign.theme),
                            {"attributes": {}}, rendering.Links(base_url=base_url))
