"""The GDPR profile: codes, the signed footer link, one-time login links by mail, editing,
switching subscriptions, the JSON export and erasure."""

import json

from sqlalchemy import select

from newsletter.audience import lists, profiles, subscriptions
from newsletter.audience.suppression import is_suppressed
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from newsletter.models import (
    AuditEntry,
    ConsentRecord,
    Contact,
    ContactChange,
    ContactStatus,
    Delivery,
    Subscription,
    Suppression,
)
from tests.factories import draft

from .helpers import body, link_in, mails_to, public_list


def reader(address="reader@example.com", name="Weekly"):
    mlist = public_list(name)
    contact = lists.add_contact_to_list(db.session, mlist.id, address, first_name="Rea")
    db.session.commit()
    return contact, mlist


def footer_link(contact_id) -> str:
    url = profiles.profile_url(db.session, contact_id)
    db.session.commit()
    return url.removeprefix("http://127.0.0.1:5000")


def open_profile(client, contact_id) -> str:
    """Open the profile the way the footer link does; returns the code."""
    response = client.get(footer_link(contact_id))
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[1]


def test_codes_are_8_unambiguous_characters_stored_only_as_a_keyed_hash(app):
    contact, mlist = reader()
    code = profiles.ensure_code(db.session, contact)
    db.session.commit()
    assert len(code) == 8 and set(code) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    assert contact.profile_code_hash == profiles.code_hash(code) != code
    assert profiles.ensure_code(db.session, contact) == code  # re-derived, stable
    assert profiles.find_by_code(db.session, code.lower()).id == contact.id
    others = {profiles.ensure_code(db.session, lists.add_contact_to_list(
        db.session, mlist.id, f"r{i}@example.com")) for i in range(50)}
    assert code not in others and len(others) == 50


def test_footer_link_opens_the_profile_with_all_stored_data(client):
    contact, _ = reader()
    code = open_profile(client, contact.id)
    page = client.get(f"/p/{code}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Frame-Options"] == "DENY"
    for text in ("reader@example.com", "Rea", "Weekly", "Consent given", code):
        assert text in page.text


def test_a_code_alone_is_not_a_key(client):
    contact, _ = reader()
    code = profiles.ensure_code(db.session, contact)
    db.session.commit()
    response = client.get(f"/p/{code}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/p?code={code}"
    assert "reader@example.com" not in client.get(response.headers["Location"]).text


def test_unknown_codes_get_the_same_answer_as_wrong_signatures(client):
    contact, _ = reader()
    link = footer_link(contact.id)
    code, signature = link.removeprefix("/p/").split("?s=")
    flipped = "A" if signature[-5] != "A" else "B"  # a character whose bits all count
    wrong_signature = client.get(f"/p/{code}?s={signature[:-5]}{flipped}{signature[-4:]}")
    unknown_code = client.get(f"/p/ABCDEFGH?s={signature}")
    assert wrong_signature.status_code == unknown_code.status_code == 400
    assert wrong_signature.text == unknown_code.text


def test_profile_attempts_are_rate_limited(app, client):
    app.config["RATE_PROFILE_IP"] = "3/900"
    for _ in range(3):
        assert client.get("/p/ABCDEFGH?s=x").status_code == 400
    limited = client.get("/p/ABCDEFGH?s=x")
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_login_link_by_mail_works_once(client, worker, smtp_server):
    contact, _ = reader()
    for address in ("reader@example.com", "stranger@example.com"):
        response = client.post("/p", data={"email": address})
        assert "If we know this address" in response.text
    worker()
    assert mails_to(smtp_server, "stranger@example.com") == []
    [mail] = mails_to(smtp_server, "reader@example.com")
    link = link_in(mail, "/p/login/")
    assert client.get(link).status_code == 200  # a button, the link is not used up yet
    opened = client.post(link)
    assert opened.status_code == 302
    assert "reader@example.com" in client.get(opened.headers["Location"]).text
    assert client.post(link).status_code == 400  # used once already


def test_code_and_address_must_belong_together(client, worker, smtp_server):
    contact, _ = reader()
    other, _ = reader("other@example.com", "Other")
    other_code = profiles.ensure_code(db.session, other)
    db.session.commit()
    client.post("/p", data={"email": "reader@example.com", "code": other_code})
    worker()
    assert smtp_server.messages == []


def test_editing_name_and_language_is_recorded_in_the_history(client):
    contact, _ = reader()
    code = open_profile(client, contact.id)
    bad = client.post(f"/p/{code}/details", data={"first_name": "Rea\nX", "last_name": "Der",
                                                   "language": "en"})
    assert bad.status_code == 422 and "line breaks" in bad.text and 'value="Der"' in bad.text
    response = client.post(f"/p/{code}/details", data={"first_name": "Reana",
                                                       "last_name": "Der", "language": "de"},
                           follow_redirects=True)
    assert '<html lang="de">' in response.text
    changes = {c.field: (c.old_value, c.new_value, c.actor)
               for c in db.session.scalars(select(ContactChange))}
    assert changes == {"first_name": ("Rea", "Reana", "subscriber"),
                       "last_name": (None, "Der", "subscriber"),
                       "language": ("en", "de", "subscriber")}


def test_switching_a_list_off_and_on_records_consent(client):
    contact, weekly = reader()
    events = public_list("Events")
    code = open_profile(client, contact.id)
    page = client.get(f"/p/{code}").text
    assert page.count(">Turn on</button>") == page.count(">Turn off</button>") == 1
    client.post(f"/p/{code}/subscriptions", data={"list_id": weekly.id, "channel": "email",
                                                  "on": "0"})
    client.post(f"/p/{code}/subscriptions", data={"list_id": events.id, "channel": "email",
                                                  "on": "1"})
    db.session.expire_all()
    status = {s.mailing_list.name: s.status for s in db.session.scalars(select(Subscription))}
    assert status == {"Weekly": "unsubscribed", "Events": "confirmed"}
    actions = [(r.action, r.source) for r in db.session.scalars(
        select(ConsentRecord).order_by(ConsentRecord.id))]
    assert actions[1:] == [("withdrawn", "subscription profile"),
                           ("granted", "subscription profile")]


def test_private_lists_the_subscriber_is_not_on_cannot_be_switched_on(client):
    contact, _ = reader()
    private = lists.create_list(db.session, "Staff")
    db.session.commit()
    code = open_profile(client, contact.id)
    page = client.post(f"/p/{code}/subscriptions", follow_redirects=True,
                       data={"list_id": private.id, "channel": "email", "on": "1"})
    assert "cannot be changed here" in page.text
    assert "Staff" not in page.text


def test_export_contains_everything(client):
    contact, _ = reader()
    code = open_profile(client, contact.id)
    response = client.get(f"/p/{code}/data.json")
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["contact"]["email"] == "reader@example.com"
    assert data["subscriptions"] == [{"list": "Weekly", "channel": "email",
                                      "status": "confirmed"}]
    assert data["consent_history"][0]["action"] == "granted"


def test_another_browser_without_the_session_gets_nothing(app, client):
    contact, _ = reader()
    code = open_profile(client, contact.id)
    stranger = app.test_client()
    assert stranger.get(f"/p/{code}/data.json").status_code == 403
    assert stranger.post(f"/p/{code}/erase").status_code == 403


def test_erasure_after_mail_confirmation(client, worker, smtp_server):
    contact, weekly = reader()
    campaign = draft(weekly)
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    code = open_profile(client, contact.id)
    client.post(f"/p/{code}/details", data={"first_name": "Reana", "language": "en"})
    unsubscribe = subscriptions.unsubscribe_url(contact.id, list_id=weekly.id)
    client.post(f"/p/{code}/erase")
    worker()
    [mail] = mails_to(smtp_server, "reader@example.com")
    assert "delete" in body(mail)
    link = link_in(mail, "/p/erase/")
    assert db.session.get(Contact, contact.id).email == "reader@example.com"  # not yet
    done = client.post(link)
    assert "Your data was deleted" in done.text

    db.session.expire_all()
    erased = db.session.get(Contact, contact.id)
    assert (erased.email, erased.first_name, erased.status) == (None, None,
                                                                ContactStatus.ERASED)
    assert is_suppressed(db.session, "reader@example.com")
    assert db.session.scalar(select(Suppression.reason)) == "erased"
    assert [c.field for c in db.session.scalars(select(ContactChange))] == ["status"]
    delivery = db.session.scalar(select(Delivery))
    assert delivery.contact_id == contact.id and "reader" not in delivery.address
    assert all(r.ip is None for r in db.session.scalars(select(ConsentRecord)))
    assert client.get(f"/p/{code}").status_code == 302  # the session is gone
    assert client.get(unsubscribe).status_code == 400
    assert client.post(link).status_code == 400
    record = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "contacts.erase"))
    assert (record.actor, record.subject) == ("subscriber", f"contact {contact.id}")
    assert "reader" not in record.detail  # the record keeps no personal data


def test_asking_for_a_link_with_a_bad_address_keeps_the_input(client):
    response = client.post("/p", data={"email": "nope@", "code": "ABCD2345"})
    assert response.status_code == 422
    assert "Enter a valid e-mail address." in response.text
    assert 'value="ABCD2345"' in response.text and 'value="nope@"' in response.text


def test_an_erased_address_may_sign_up_again_but_only_with_confirmation(
        client, worker, smtp_server):
    contact, weekly = reader()
    profiles.erase(db.session, contact.id)
    db.session.commit()
    single = public_list("Flash sales", optin="single")
    response = client.post(f"/subscribe/{single.key}", data={"email": "reader@example.com"})
    assert "If your address has to confirm it first" in response.text  # the answer for all
    worker()  # not subscribed at once: a confirmation link goes out
    client.post(link_in(mails_to(smtp_server, "reader@example.com")[0], "/confirm/"))
    assert not is_suppressed(db.session, "reader@example.com")
    fresh = db.session.scalar(select(Contact).where(Contact.email == "reader@example.com"))
    assert fresh.id != contact.id and fresh.status == ContactStatus.ACTIVE


def test_closing_the_profile_ends_the_session(client):
    contact, _ = reader()
    code = open_profile(client, contact.id)
    assert "You left your profile" in client.post("/p/logout").text
    assert client.get(f"/p/{code}").status_code == 302


def test_text_messages_need_a_phone_number(client):
    contact, _ = reader()
    both = public_list("Alerts", channels="email,sms")
    code = open_profile(client, contact.id)
    page = client.get(f"/p/{code}").text
    assert 'data-list="Alerts" data-channel="sms"' in page
    response = client.post(f"/p/{code}/subscriptions", follow_redirects=True,
                           data={"list_id": both.id, "channel": "sms", "on": "1"})
    assert "Text messages need a phone number" in response.text
    assert db.session.scalar(select(Subscription.id).where(
        Subscription.list_id == both.id)) is None


def test_profile_urls_for_a_batch_are_stable_and_distinct(app):
    mlist = public_list()
    ids = [lists.add_contact_to_list(db.session, mlist.id, f"b{i}@example.com").id
           for i in range(30)]
    db.session.commit()
    first = profiles.profile_urls(db.session, ids)
    db.session.commit()
    db.session.expire_all()
    again = profiles.profile_urls(db.session, ids)
    codes = {url.split("/p/")[1].split("?")[0] for url in first.values()}
    assert len(codes) == 30
    assert {k: v.split("?")[0] for k, v in first.items()} == \
        {k: v.split("?")[0] for k, v in again.items()}
    assert profiles.profile_url(db.session, ids[0]).split("?")[0] == first[ids[0]].split("?")[0]


def test_subscriber_turns_off_click_tracking(app, client, worker, smtp_server):
    from sqlalchemy import select

    from newsletter.audience import profiles
    from newsletter.extensions import db
    from newsletter.models import Contact
    from tests.factories import list_with_contacts

    list_with_contacts("reader@example.com")
    contact = db.session.scalar(select(Contact))
    url = profiles.profile_url(db.session, contact.id)
    db.session.commit()
    path = url.split("127.0.0.1:5000", 1)[1]
    page = client.get(path, follow_redirects=True)
    assert "Do not record which links I click" in page.text
    code = path.split("/p/", 1)[1].split("?", 1)[0]
    response = client.post(f"/p/{code}/details", data={
        "first_name": "Test", "last_name": "", "language": "en", "tracking_opt_out": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).tracking_opt_out is True


def test_messages_received_show_the_subject_as_the_subscriber_got_it(client, worker,
                                                                     smtp_server):
    contact, weekly = reader()
    campaign = draft(weekly, subject='Hi {{ first_name | default("friend") }}, news')
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    from newsletter import jobs
    jobs.enqueue_send(campaign.id)
    worker()
    [mail] = mails_to(smtp_server, "reader@example.com")
    assert mail["Subject"] == "Hi Rea, news"
    code = open_profile(client, contact.id)
    page = client.get(f"/p/{code}").text
    assert "Hi Rea, news" in page and "{{" not in page
    data = json.loads(client.get(f"/p/{code}/data.json").data)
    assert [m["subject"] for m in data["messages_received"]] == ["Hi Rea, news"]


def test_the_history_shows_values_in_words_of_the_subscribers_language(client):
    contact, _ = reader()
    code = open_profile(client, contact.id)
    client.post(f"/p/{code}/details", data={"first_name": "Rea", "language": "de",
                                            "tracking_opt_out": "1"})
    page = client.get(f"/p/{code}").text
    history = page.split('id="h-changes"')[1].split("</section>")[0]
    assert "False" not in history and "True" not in history
    assert "<td>Nein</td><td>Ja</td>" in history
    assert "<td>English</td><td>Deutsch</td>" in history
    assert "tracking_opt_out" not in history and "<td>Sie</td>" in history


def test_the_profile_shows_consent_and_dates_in_the_subscribers_language(client):
    contact, weekly = reader()
    code = open_profile(client, contact.id)
    client.post(f"/p/{code}/details", data={"first_name": "Rea", "language": "de"})
    client.post(f"/p/{code}/subscriptions",
                data={"list_id": weekly.id, "channel": "email", "on": "0"})
    page = client.get(f"/p/{code}").text
    consent = page.split('id="h-consent"')[1].split("</section>")[0]
    assert "(email)" not in consent and "E-Mail" in consent
    assert "subscription profile" not in consent and "in diesem Profil" in consent
    assert " UTC" not in consent
    year = str(db.session.get(Contact, contact.id).created_at.year)
    assert f"{year}-" not in page  # no ISO dates


def test_the_profile_shows_times_in_the_subscribers_time_zone(client):
    """Until they choose a zone, the usual one of their language (Slovak: Bratislava);
    their choice is kept and recorded; an unknown zone is refused."""
    from datetime import datetime

    from newsletter.models import ConsentRecord

    contact, _ = reader()
    contact.language = "sk"
    for record in db.session.scalars(select(ConsentRecord)):
        record.created_at = datetime(2026, 1, 15, 10, 0)  # UTC, winter: 11:00 in Bratislava
    db.session.commit()
    code = open_profile(client, contact.id)

    def consent_section():
        page = client.get(f"/p/{code}").text
        return page, page.split('id="h-consent"')[1].split("</section>")[0]

    page, consent = consent_section()
    assert "11:00" in consent and "10:00" not in consent
    assert "Europe/Bratislava (časy na tejto stránke)" in page
    unchanged = {"first_name": "Rea", "language": "sk", "time_zone": "Europe/Bratislava"}
    client.post(f"/p/{code}/details", data=unchanged)
    assert db.session.get(Contact, contact.id).time_zone is None  # the default, not chosen

    bad = client.post(f"/p/{code}/details", data={**unchanged, "time_zone": "Mars/Olympus"})
    assert bad.status_code == 422 and "Vyberte časové pásmo zo zoznamu." in bad.text
    assert 'id="f-time_zone" name="time_zone" autocomplete="off" aria-invalid="true"' in bad.text

    client.post(f"/p/{code}/details", data={**unchanged, "time_zone": "America/New_York"})
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).time_zone == "America/New_York"
    _, consent = consent_section()
    assert "5:00" in consent and "11:00" not in consent
    change = db.session.scalar(select(ContactChange).where(ContactChange.field == "time_zone"))
    assert (change.old_value, change.new_value) == (None, "America/New_York")
