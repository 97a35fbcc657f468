"""Plan limits (seed 003): unlimited by default; an owner sets them; each is enforced
where the action happens with the counts; the usage page shows them."""

import pytest
from sqlalchemy import select

from newsletter.audience import lists
from newsletter.compliance import start as checked
from newsletter.content import themes
from newsletter.extensions import db
from newsletter.models import AuditEntry, Campaign, Contact, ContactImport
from newsletter.platform import accounts, limits
from newsletter.sending import senders
from tests.admin.test_imports import mapping, start, upload
from tests.conftest import PASSWORD
from tests.factories import draft, list_with_contacts

THEME = {"name": "T", "primary_color": "#000000", "background_color": "#ffffff",
         "text_color": "#111111", "font_family": "Arial, Helvetica, sans-serif"}


def set_limits(**values):
    limits.set_limits(db.session, values, "owner@example.com")
    db.session.commit()


def test_unlimited_by_default(app):
    assert all(u.limit is None and u.remaining is None for u in limits.usage(db.session))
    limits.check(db.session, "contacts", 10**6)


def test_contacts_users_themes_and_own_domain(app):
    mlist = list_with_contacts("a@example.com")
    set_limits(contacts=1, users=0, themes=0, own_domain=0)
    with pytest.raises(limits.LimitReached, match="allows 1 active contacts; 1 are used"):
        lists.add_contact_to_list(db.session, mlist.id, "b@example.com")
    lists.add_contact_to_list(db.session, mlist.id, "a@example.com")  # not a new contact
    with pytest.raises(limits.LimitReached, match="user accounts"):
        accounts.create_user(db.session, "x@example.com", "editor", PASSWORD)
    with pytest.raises(limits.LimitReached, match="themes"):
        themes.save_theme(db.session, None, **THEME)
    sender = senders.save_sender(db.session, None, name="S", from_name="S",
                                 from_email="n@example.com", reply_to=None, rate_limit=1,
                                 rate_period="hour", dkim_selector=None)
    with pytest.raises(limits.LimitReached, match="own domain"):
        senders.generate_dkim_key(db.session, sender.id)


def test_a_start_past_the_monthly_messages_is_refused_with_the_counts(app):
    mlist = list_with_contacts("a@example.com", "b@example.com", "c@example.com")
    set_limits(emails_month=4)
    first = draft(mlist)
    checked.start(db.session, first.id, confirmed=True)
    db.session.commit()
    second = draft(mlist)
    with pytest.raises(checked.StartRefused, match="allows 4 e-mail messages a month; 3 were "
                                                   "sent this month, so 1 are left and this "
                                                   "campaign has 3 recipients"):
        checked.start(db.session, second.id, confirmed=True)
    db.session.rollback()
    assert db.session.get(Campaign, second.id).status == "draft"


def test_an_import_stops_at_the_limit_and_reports_the_rest(client, login, worker):
    login()
    mlist = list_with_contacts("old@example.com")
    set_limits(contacts=3)
    csv = "email\nold@example.com\nn1@example.com\nn2@example.com\nn3@example.com\n"
    response = upload(client, mlist.id, "c.csv", csv.encode())
    import_id, _, response = start(client, response, **mapping("email", delimiter=","))
    assert response.status_code == 302
    worker()
    imp = db.session.get(ContactImport, import_id)
    assert (imp.created, imp.over_limit) == (2, 1)
    report = client.get(f"/admin/imports/{import_id}").text
    assert 'data-stat="over_limit">1<' in report and "contact limit" in report
    assert db.session.scalar(select(Contact.id).where(Contact.email == "n3@example.com")) \
        is None


def test_owner_sets_limits_on_the_usage_page(client, login):
    login("owner")
    list_with_contacts("a@example.com", "b@example.com")
    page = client.get("/admin/plan").text
    assert 'data-limit="contacts"' in page and "unlimited" in page
    bad = client.post("/admin/plan", data={"contacts": "-1"})
    assert bad.status_code == 422 and 'value="-1"' in bad.text
    client.post("/admin/plan", data={"contacts": "10", "emails_month": "1000"})
    page = client.get("/admin/plan").text
    row = page[page.index('data-limit="contacts"'):]
    assert "<td data-used>2</td>" in row[:200] and "<td>10</td>" in row[:250]
    entry = db.session.query(AuditEntry).filter_by(action="limits.changed").one()
    assert entry.detail == "contacts: 10, emails_month: 1000"
