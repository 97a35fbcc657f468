"""The mail that tells a campaign's editor it was held for review, approved or rejected."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select

from newsletter.channels.headers import header_value
from newsletter.models import Campaign, CampaignReview, User
from newsletter.platform.i18n import best_language


def subject(state: str, name: str) -> str:
    """The mail's subject for a review in ``state``, in the current language."""
    return {"held": gettext("Held for review: %(name)s", name=name),
            "approved": gettext("Approved: %(name)s", name=name),
            "rejected": gettext("Rejected: %(name)s", name=name)}[state]


def message(session, review_id: int) -> EmailMessage | None:
    """None when the campaign has no editor account with an address to tell; in the
    editor's admin language (their account page)."""
    held = session.get(CampaignReview, review_id)
    campaign = session.get(Campaign, held.campaign_id) if held else None
    editor = session.get(User, campaign.created_by_id) if campaign and \
        campaign.created_by_id else None
    if editor is None or not editor.active:
        return None
    with force_locale(best_language(editor.language)):
        return _compose(session, campaign, held, editor)


def _compose(session, campaign, held, editor) -> EmailMessage:
    config = current_app.config
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    msg = EmailMessage()
    for name, value in {
            "From": config["MAIL_FROM"], "To": editor.email,
            "Subject": subject(held.state, campaign.name),
            "Date": format_datetime(datetime.now(UTC)),
            "Message-ID": make_msgid(domain=domain),
            "Auto-Submitted": "auto-generated"}.items():
        msg[name] = header_value(value, encode=False)
    url = f"{config['BASE_URL'].rstrip('/')}/admin/campaigns/{campaign.id}"
    again = held.state == "held" and session.scalar(
        select(CampaignReview.id).where(CampaignReview.campaign_id == campaign.id,
                                        CampaignReview.id < held.id,
                                        CampaignReview.state == "approved").limit(1))
    msg.set_content(render_template("admin/mail/review.txt", campaign=campaign, review=held,
                                    url=url, again=bool(again)))
    return msg
