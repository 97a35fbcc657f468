"""The mail that tells the owners an endpoint was paused because it kept failing."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from newsletter.channels.headers import header_value
from newsletter.models import Role, User, WebhookEndpoint
from newsletter.platform.i18n import best_language
from newsletter.texts import shown


def paused_messages(session, endpoint_id: int) -> list[EmailMessage]:
    """One message per active owner; none when the endpoint is gone or running again."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.paused_at is None:
        return []
    config = current_app.config
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    url = f"{config['BASE_URL'].rstrip('/')}/admin/webhooks/{endpoint.id}"
    messages = []
    for owner in session.scalars(select(User).where(User.role == Role.OWNER,
                                                    User.active.is_(True))):
        with force_locale(best_language(owner.language)):  # each owner's admin language
            subject = gettext("Webhook paused: %(name)s", name=endpoint.name)
            text = gettext(
                "The webhook endpoint “%(name)s” (%(url)s) was paused: %(reason)s\n\n"
                "Nothing more is sent to it; events keep waiting. Read its answers, fix it, "
                "then resume it (the waiting events follow):\n%(link)s\n",
                name=endpoint.name, url=endpoint.url, reason=shown(endpoint.paused_reason),
                link=url)
        msg = EmailMessage()
        for name, value in {
                "From": config["MAIL_FROM"], "To": owner.email, "Subject": subject,
                "Date": format_datetime(datetime.now(UTC)),
                "Message-ID": make_msgid(domain=domain),
                "Auto-Submitted": "auto-generated"}.items():
            msg[name] = header_value(value, encode=False)
        msg.set_content(text)
        messages.append(msg)
    return messages
