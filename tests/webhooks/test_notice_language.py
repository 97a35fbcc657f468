"""The mail that tells the owners an endpoint was paused is written in each owner's own
admin language."""

from newsletter.extensions import db
from newsletter.models import WebhookEndpoint, utcnow
from newsletter.webhooks import notice


def test_each_owner_is_told_in_their_own_language(app, make_user):
    german = make_user("anna@example.com", "owner")
    german.language = "de"
    make_user("bob@example.com", "owner")  # English, the default
    make_user("eve@example.com", "editor")  # not an owner: not told
    hook = WebhookEndpoint(name="CRM", url="https://crm.example.com/hook", events=["clicked"],
                           secret="s", consecutive_failures=3, paused_at=utcnow(),
                           paused_reason="Failed deliveries in a row: 3.")
    db.session.add(hook)
    db.session.commit()
    mails = {m["To"]: m for m in notice.paused_messages(db.session, hook.id)}
    assert set(mails) == {"anna@example.com", "bob@example.com"}
    assert mails["anna@example.com"]["Subject"] == "Webhook pausiert: CRM"
    assert ("wurde pausiert: Fehlgeschlagene Zustellungen in Folge: 3."
            in mails["anna@example.com"].get_content())
    assert mails["bob@example.com"]["Subject"] == "Webhook paused: CRM"
