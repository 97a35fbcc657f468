"""Plan limits (seed 003): unlimited by default; an owner sets them; each is enforced
where the action happens with the counts; the usage page shows them."""

import pytest
from sqlalchemy import select

from newsletter.audience import lists
from newsletter.compliance import start as checked
from newsletter.content import themes
from newsletter.extensions import db
from newsletter.models import AuditEntry, Campaign, Contact, ContactImport, SavedTemplate
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
    assert entry.detail == "contacts: unlimited → 10, emails_month: unlimited → 1000"


def test_sms_parts_per_month_refuse_a_start_with_the_counts(app):
    from newsletter.audience import lists as audience_lists
    from newsletter.models import Channel
    from newsletter.sending import sms
    from newsletter.sms import quota
    from tests.sms.test_sending import sms_campaign, sms_contact

    mlist = audience_lists.create_list(db.session, "Phones", optin="single")
    db.session.commit()
    sms_contact(mlist, "a@example.sk", "+421905000001")
    sms_contact(mlist, "b@example.sk", "+421905000002")
    quota.top_up(db.session, 100)
    db.session.commit()
    set_limits(sms_parts_month=3)
    first = sms_campaign(mlist, text="Zľava 20 % dnes.")
    assert sms.start_campaign(db.session, first.id) == 2
    db.session.commit()
    assert limits.used(db.session, "sms_parts_month") == 2
    second = sms_campaign(mlist, text="Ďalšia zľava.")
    with pytest.raises(checked.CampaignError, match="allows 3 SMS parts a month; 2 were used "
                                                    "this month, so 1 are left and this "
                                                    "campaign needs 2 parts"):
        sms.start_campaign(db.session, second.id)
    db.session.rollback()
    assert db.session.get(Campaign, second.id).status == "draft"
    assert quota.balance(db.session).available == 98  # nothing reserved for the refused one
    items = {i.key: i for i in checked.checks.run(db.session, second.id).items}
    assert items["plan"].message.startswith("1 of the plan's 3 SMS parts a month are left")
    assert db.session.get(Campaign, second.id).channel == Channel.SMS


def test_saved_templates_are_limited_and_start_new_campaigns(client, login):
    login("editor")
    mlist = list_with_contacts("a@example.com")
    form = {"name": "June", "subject": "June news", "lists": [mlist.id], "sender": 0,
            "theme": 0, "template": "blank", "language": "en",
            "blocks-0-type": "heading", "blocks-0-text": "Our house style"}
    assert client.post("/admin/campaigns/new", data=form).status_code == 302
    campaign = db.session.query(Campaign).one()
    set_limits(templates=1)
    saved = client.post(f"/admin/campaigns/{campaign.id}/save-template",
                        data={"name": "House style"}, follow_redirects=True)
    assert "Saved as template “House style”" in saved.text
    refused = client.post(f"/admin/campaigns/{campaign.id}/save-template",
                          data={"name": "Another"}, follow_redirects=True)
    assert "The plan allows 1 saved templates; 1 are used" in refused.text
    template = db.session.query(SavedTemplate).one()
    page = client.get("/admin/campaigns/new").text
    assert f'value="saved:{template.id}"' in page and "House style (saved)" in page
    client.post("/admin/campaigns/new", data={
        **{k: v for k, v in form.items() if not k.startswith("blocks")},
        "name": "July", "template": f"saved:{template.id}"})
    july = db.session.query(Campaign).filter_by(name="July").one()
    assert july.blocks == template.blocks and "Our house style" in july.body_html
    themes_page = client.get("/admin/themes").text
    assert f'data-template="{template.id}"' in themes_page
    client.post(f"/admin/templates/{template.id}/delete")
    assert db.session.query(SavedTemplate).count() == 0
    assert limits.used(db.session, "templates") == 0


def test_public_signup_over_the_contact_limit_gets_one_answer_for_everybody(client):
    from tests.public.helpers import public_list

    mlist = public_list("Garden club", purpose="tips")
    lists.add_contact_to_list(db.session, mlist.id, "known@example.com")
    db.session.commit()
    set_limits(contacts=1)
    answers = []
    for address in ("new@example.com", "known@example.com"):  # unknown and known alike
        page = client.post(f"/subscribe/{mlist.key}", data={"email": address})
        assert page.status_code == 422
        answers.append(page.text.replace(address, "ADDRESS"))
        js = client.post(f"/api/v1/subscribe/{mlist.key}", json={"email": address})
        assert js.status_code == 422
        assert js.json["errors"] == {"email": "This list is not taking new signups at the "
                                              "moment. Please try again later."}
    assert answers[0] == answers[1]
    assert "not taking new signups" in answers[0] and "limit" not in answers[0].lower()
    assert db.session.scalar(select(Contact.id).where(Contact.email == "new@example.com")) \
        is None
    set_limits(contacts=2)
    assert client.post(f"/subscribe/{mlist.key}",
                       data={"email": "new@example.com"}).status_code == 200


def test_api_bulk_upsert_stops_at_the_limit_and_reports_the_rest(client):
    from tests.api.helpers import auth, make_key

    headers = auth(make_key())
    mlist = list_with_contacts("old@example.com")
    set_limits(contacts=3)
    rows = [{"email": "n1@example.com"}, {"email": "OLD@example.com", "first_name": "Old"},
            {"email": "n2@example.com"}, {"email": "n3@example.com"},
            {"email": "n4@example.com"}]
    result = client.post("/api/v1/contacts/bulk", json={"contacts": rows,
                                                        "list_id": mlist.id},
                         headers=headers)
    assert result.status_code == 200, result.json
    assert (result.json["created"], result.json["updated"], result.json["over_limit"]) == \
        (2, 1, 2)
    assert result.json["left_out"] == [  # rows keyed by phone say their phone instead
        {"index": 3, "email": "n3@example.com", "phone": None},
        {"index": 4, "email": "n4@example.com", "phone": None}]
    assert db.session.scalar(select(Contact.id).where(Contact.email == "n3@example.com")) \
        is None
    single = client.post("/api/v1/contacts", json={"email": "n5@example.com"},
                         headers=headers)
    assert single.status_code == 422 and "allows 3 active contacts" in \
        single.json["error"]["message"]


def test_usage_page_shows_every_limit(client, login):
    login("owner")
    page = client.get("/admin/plan").text
    for key in limits.LIMITS:
        assert f'data-limit="{key}"' in page and f'name="{key}"' in page


def test_sms_confirmation_shows_the_plan_and_the_send_is_refused(client, login):
    from newsletter.sms import quota
    from tests.sms.test_admin import form, make_list
    from tests.sms.test_sending import sms_contact

    login()
    mlist = make_list()
    sms_contact(mlist, "a@example.sk", "+421905123456")
    sms_contact(mlist, "b@example.sk", "+421905000002")
    client.post("/admin/campaigns/new-sms", data=form(mlist))
    campaign = db.session.scalar(select(Campaign))
    quota.top_up(db.session, 10)
    db.session.commit()
    set_limits(sms_parts_month=1)
    page = client.post(f"/admin/campaigns/{campaign.id}/sms-confirm").text
    assert 'data-confirm="plan_left">1<' in page and "Yes, send" not in page
    assert "The plan allows 1 more SMS parts this month and this campaign needs 2." in page
    sent = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                       follow_redirects=True)
    assert "allows 1 SMS parts a month; 0 were used this month, so 1 are left and this " \
           "campaign needs 2 parts" in sent.text
    assert db.session.get(Campaign, campaign.id).status == "draft"
    assert quota.balance(db.session) == quota.Balance(10, 0)
