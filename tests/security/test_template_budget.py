"""User templates run under a budget: a runaway template is refused at save with a field
error, stopped after one budget's loop iterations; one that only runs away with a recipient's
data fails that recipient's delivery with a clear error, built once, and everyone else gets
their message."""

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Campaign, Contact, Delivery
from tests import factories
from tests.content.steps import loop_steps
from tests.factories import composed, list_with_contacts
from tests.sending.helpers import start, states

NESTED = ("<p>{% for a in range(5000) %}{% for b in range(5000) %}x{% endfor %}{% endfor %}"
          "</p>")
#: zero iterations with the sample data used at save, 25 million for a 5000
DATA_DRIVEN = ("<p>Hello {{ first_name }}{% for a in range(attributes.n | default(0) | int) %}"
               "{% for b in range(attributes.n | default(0) | int) %}.{% endfor %}"
               "{% endfor %}</p>")


def form(mlist, text: str) -> dict:
    return {"name": "Loops", "subject": "Loops", "lists": [mlist.id], "sender": 0, "theme": 0,
            "template": "blank", "language": "en", "blocks-0-type": "html",
            "blocks-0-text": text}


def test_a_runaway_template_is_refused_at_save_within_the_budget(client, login):
    login()
    mlist = list_with_contacts("a@example.com")
    for url in ("/admin/campaigns/new", "/admin/campaigns/preview"):
        with loop_steps() as work:
            response = client.post(url, data=form(mlist, NESTED))
        assert response.status_code == 422, url
        assert "10,000 loop iterations" in response.text, url
        assert work["steps"] <= 10_001, url  # one budget's iterations, not 25 million
    assert 'class="error"' in client.post("/admin/campaigns/new",
                                          data=form(mlist, NESTED)).text  # at the field
    assert db.session.scalar(select(Campaign)) is None


def test_a_recipient_over_the_budget_fails_alone_within_one_budget(app, worker, smtp_server):
    mlist = list_with_contacts("calm@example.com", "heavy@example.com", "late@example.com")
    heavy = db.session.scalar(select(Contact).where(Contact.email == "heavy@example.com"))
    heavy.attributes = {"n": "5000"}
    db.session.commit()
    campaign = factories.tested(composed(mlist, [{"type": "html", "text": DATA_DRIVEN}]))
    start(campaign)
    with loop_steps() as work:
        worker()
    assert work["steps"] <= 10_001  # heavy's message was built once, within one budget
    assert states() == {"calm@example.com": "sent", "heavy@example.com": "failed",
                        "late@example.com": "sent"}
    error = db.session.scalar(select(Delivery.error).where(
        Delivery.address == "heavy@example.com"))
    assert error.startswith("Message not built: ") and "10,000 loop iterations" in error
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "calm@example.com", "late@example.com"]
    heavy = db.session.scalar(select(Contact).where(Contact.email == "heavy@example.com"))
    assert heavy.status == "active"  # a failed build is not a bounce
