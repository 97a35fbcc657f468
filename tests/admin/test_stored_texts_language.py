"""What workers wrote down in English (a delivery's error, a skipped run's reason, a paused
webhook's cause) reads in the account's language on the admin's pages and in its mail."""

from sqlalchemy import select

from newsletter import jobs
from newsletter.extensions import db
from newsletter.models import Contact, WebhookEndpoint, utcnow
from newsletter.webhooks import notice
from tests import factories
from tests.automation.test_recurring import _make_due, _series
from tests.factories import composed, list_with_contacts
from tests.security.test_template_budget import DATA_DRIVEN
from tests.sending.helpers import start


def speak(client, language):
    client.post("/admin/account", data={"time_zone": "UTC", "language": language})


def test_a_delivery_error_on_the_campaign_page_in_german(client, login, worker, smtp_server):
    mlist = list_with_contacts("calm@example.com", "heavy@example.com")
    heavy = db.session.scalar(select(Contact).where(Contact.email == "heavy@example.com"))
    heavy.attributes = {"n": "5000"}
    db.session.commit()
    campaign = factories.tested(composed(mlist, [{"type": "html", "text": DATA_DRIVEN}]))
    start(campaign)
    worker()
    login("owner")
    speak(client, "de")
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert ("Nachricht nicht erstellt: Die Platzhalter haben mehr als 10,000 "
            "Schleifendurchläufe ausgeführt.") in page
    assert "Message not built" not in page
    speak(client, "en")
    assert "Message not built: Merge tags ran more than 10,000 loop iterations." in \
        client.get(f"/admin/campaigns/{campaign.id}").text  # as stored


def test_a_skipped_runs_reason_in_slovak(client, login, worker):
    series = _series(list_with_contacts(name="Empty"))
    _make_due(series)
    jobs.reap()
    worker()
    login("owner")
    speak(client, "sk")
    page = client.get(f"/admin/recurring/{series.id}").text
    assert "Žiadni príjemcovia: zoznamy (a segment) nemajú komu poslať." in page


def test_a_paused_webhooks_cause_in_the_owners_language(client, login):
    hook = WebhookEndpoint(name="CRM", url="https://crm.example.com/hook", events=["clicked"],
                           secret="s", consecutive_failures=3, paused_at=utcnow(),
                           paused_reason="Failed deliveries in a row: 3.")
    db.session.add(hook)
    db.session.commit()
    login("owner")
    speak(client, "cs")
    assert "Neúspěšná doručení za sebou: 3." in client.get(f"/admin/webhooks/{hook.id}").text
    mails = {m["To"]: m for m in notice.paused_messages(db.session, hook.id)}
    assert "Neúspěšná doručení za sebou: 3." in next(iter(mails.values())).get_content()
