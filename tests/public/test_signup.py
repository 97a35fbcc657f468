"""Signup on the hosted page (also the embed target), double opt-in through real mail and
the real worker, single opt-in, bad input and rate limits."""

import re

from sqlalchemy import select

from newsletter import jobs
from newsletter.audience import lists, subscriptions
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from newsletter.models import (
    ConsentRecord,
    Contact,
    MailingList,
    OptIn,
    Subscription,
    SubscriptionStatus,
)
from tests.factories import draft

from .helpers import body, link_in, mails_to, public_list


def signup(client, mlist, **data):
    data.setdefault("email", "reader@example.com")
    return client.post(f"/subscribe/{mlist.key}", data=data,
                       headers={"User-Agent": "TestBrowser/1.0"})


def subscription(address):
    db.session.expire_all()
    return db.session.scalar(select(Subscription).join(Contact)
                             .where(Contact.email == address))


def test_hosted_page_shows_the_form_with_the_consent_text(client):
    mlist = public_list("Garden club", purpose="monthly gardening tips")
    page = client.get(f"/subscribe/{mlist.key}")
    assert page.status_code == 200
    assert '<label for="f-email">E-mail</label>' in page.text
    assert "I want to receive “Garden club” by e-mail" in page.text
    assert "Purpose: monthly gardening tips" in page.text
    assert 'name="website"' in page.text  # the honeypot


def test_private_and_unknown_lists_have_no_page(client):
    private = lists.create_list(db.session, "Staff only")
    db.session.commit()
    assert client.get(f"/subscribe/{private.key}").status_code == 404
    assert client.post(f"/subscribe/{private.key}", data={"email": "a@b.cz"}).status_code == 404
    assert client.get("/subscribe/nope").status_code == 404


def test_double_opt_in_confirms_through_the_mailed_link(client, worker, smtp_server):
    mlist = public_list()
    version = re.search(r'name="consent_version" value="([^"]+)"',
                        client.get(f"/subscribe/{mlist.key}").text).group(1)
    response = signup(client, mlist, first_name="Rea", consent_version=version)
    assert response.status_code == 200
    assert "Check your inbox" in response.text
    assert subscription("reader@example.com").status == SubscriptionStatus.UNCONFIRMED

    worker()
    [mail] = mails_to(smtp_server, "reader@example.com")
    assert "Weekly news" in mail["Subject"]
    link = link_in(mail, "/confirm/")
    assert client.get(link).status_code == 200  # a GET only shows the button
    assert subscription("reader@example.com").status == SubscriptionStatus.UNCONFIRMED

    done = client.post(link, headers={"User-Agent": "MailClient/2.0"})
    assert "Subscription confirmed" in done.text
    assert "/p/" in done.text  # the way on to the profile
    sub = subscription("reader@example.com")
    assert sub.status == SubscriptionStatus.CONFIRMED and sub.confirmed_at
    [record] = db.session.scalars(select(ConsentRecord)).all()
    assert (record.action, record.ip, record.user_agent, record.text_version) == (
        "granted", "127.0.0.1", "MailClient/2.0", version)

    client.post(link)  # confirming again records nothing new
    assert db.session.scalar(select(ConsentRecord.id).offset(1)) is None


def test_at_most_one_confirmation_mail_per_day(client, worker, smtp_server):
    mlist = public_list()
    for _ in range(3):
        assert "Check your inbox" in signup(client, mlist).text
    worker()
    assert len(mails_to(smtp_server, "reader@example.com")) == 1


def test_an_expired_or_tampered_confirmation_link_is_refused(app, client, worker, smtp_server):
    mlist = public_list()
    signup(client, mlist)
    worker()
    link = link_in(mails_to(smtp_server, "reader@example.com")[0], "/confirm/")
    tampered = client.post(link[:-3] + "abc")
    assert tampered.status_code == 400 and "not valid" in tampered.text
    app.config["CONFIRM_MAX_AGE"] = -1
    expired = client.post(link)
    assert expired.status_code == 400 and "expired" in expired.text
    assert subscription("reader@example.com").status == SubscriptionStatus.UNCONFIRMED


def test_single_opt_in_subscribes_at_once_without_mail(client, worker, smtp_server):
    mlist = public_list(optin=OptIn.SINGLE)
    response = signup(client, mlist)
    assert "Thank you for signing up for “Weekly news”" in response.text
    worker()
    assert smtp_server.messages == []
    assert subscription("reader@example.com").status == SubscriptionStatus.CONFIRMED
    assert db.session.scalar(select(ConsentRecord.source)).startswith("signup form")


def test_bad_input_is_refused_with_clear_messages_and_kept(client):
    mlist = public_list()
    response = signup(client, mlist, email="not-an-address", first_name="Eve\r\nBcc: x@y.z",
                      last_name="x" * 101)
    assert response.status_code == 422
    assert "Enter a valid e-mail address." in response.text
    assert "A name cannot contain line breaks" in response.text
    assert "At most 100 characters, please." in response.text
    assert 'value="not-an-address"' in response.text
    assert db.session.scalar(select(Contact.id)) is None


def test_honeypot_submissions_are_dropped_silently(client, worker, smtp_server):
    mlist = public_list()
    response = signup(client, mlist, website="http://spam.example")
    assert response.status_code == 200 and "Check your inbox" in response.text
    worker()
    assert db.session.scalar(select(Contact.id)) is None and smtp_server.messages == []


def test_signups_are_rate_limited_per_address_and_per_ip(app, client):
    mlist = public_list()
    app.config.update(RATE_SIGNUP_ADDRESS="2/3600", RATE_SIGNUP_IP="4/3600")
    assert signup(client, mlist).status_code == 200
    assert signup(client, mlist).status_code == 200
    limited = signup(client, mlist)
    assert limited.status_code == 429
    assert "Please wait" in limited.text and int(limited.headers["Retry-After"]) > 0
    assert signup(client, mlist, email="other@example.com").status_code == 200
    assert signup(client, mlist, email="third@example.com").status_code == 429  # IP


def test_mistyped_addresses_count_no_attempt(app, client):
    """A person who mistypes three times is not locked out: only signups that get as far
    as the list count towards the limits."""
    mlist = public_list()
    app.config.update(RATE_SIGNUP_ADDRESS="2/3600", RATE_SIGNUP_IP="2/3600")
    for typo in ("reader@", "reader.example.com", "reader@example", "reader@@example.com"):
        assert signup(client, mlist, email=typo).status_code == 422
    assert signup(client, mlist).status_code == 200
    assert signup(client, mlist).status_code == 200
    assert signup(client, mlist).status_code == 429  # the limit still holds


def test_a_stranger_cannot_rename_an_existing_contact(client):
    mlist = public_list(optin=OptIn.SINGLE)
    signup(client, mlist, first_name="Rea")
    signup(client, public_list("Other", optin=OptIn.SINGLE), first_name="Mallory")
    assert db.session.scalar(select(Contact.first_name)) == "Rea"


def test_pages_and_mail_follow_accept_language(client, worker, smtp_server):
    mlist = public_list()
    page = client.get(f"/subscribe/{mlist.key}", headers={"Accept-Language": "sk,en;q=0.5"})
    assert '<html lang="sk">' in page.text
    assert "Prihlásiť sa na odber" in page.text
    client.post(f"/subscribe/{mlist.key}", data={"email": "jana@example.sk"},
                headers={"Accept-Language": "sk"})
    worker()
    [mail] = mails_to(smtp_server, "jana@example.sk")
    assert "Potvrďte" in mail["Subject"] and "Dobrý deň" in body(mail)
    assert db.session.scalar(select(Contact.language)) == "sk"


def test_unconfirmed_contacts_receive_no_campaign(client, worker, smtp_server):
    mlist = public_list()
    signup(client, mlist, email="waiting@example.com")
    lists.add_contact_to_list(db.session, mlist.id, "sure@example.com")
    db.session.commit()
    worker()
    smtp_server.reset()
    campaign = draft(db.session.get(MailingList, mlist.id), subject="Issue 1")
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["sure@example.com"]]


def test_a_stranger_cannot_resubscribe_someone_who_left_even_on_single_opt_in(
        client, worker, smtp_server):
    mlist = public_list(optin=OptIn.SINGLE)
    signup(client, mlist)
    sub = subscription("reader@example.com")
    client.post(subscriptions.unsubscribe_url(sub.contact_id, list_id=mlist.id),
                data={"List-Unsubscribe": "One-Click"})
    again = signup(client, mlist)
    assert again.text == signup(client, mlist, email="someone.new@example.com").text
    assert subscription("reader@example.com").status == SubscriptionStatus.UNSUBSCRIBED
    worker()
    assert len(mails_to(smtp_server, "reader@example.com")) == 1  # the owner decides


def test_signing_up_again_after_leaving_sends_a_fresh_confirmation(client, worker, smtp_server):
    """The same day as the first signup: the daily limit on confirmation mails must not
    swallow the one the subscriber asks for after unsubscribing."""
    mlist = public_list()
    signup(client, mlist, first_name="Rea")
    worker()
    [first] = mails_to(smtp_server, "reader@example.com")
    client.post(link_in(first, "/confirm/"))
    sub = subscription("reader@example.com")
    client.post(subscriptions.unsubscribe_url(sub.contact_id, list_id=mlist.id),
                data={"List-Unsubscribe": "One-Click"})
    assert subscription("reader@example.com").status == SubscriptionStatus.UNSUBSCRIBED

    assert "Check your inbox" in signup(client, mlist).text
    worker()
    mails = mails_to(smtp_server, "reader@example.com")
    assert len(mails) == 2
    assert client.post(link_in(mails[1], "/confirm/")).status_code == 200
    sub = subscription("reader@example.com")
    assert sub.status == SubscriptionStatus.CONFIRMED
    assert sub.contact.status == "active"


def test_the_confirmation_greets_by_name_has_an_html_part_and_a_real_sender(
        app, client, worker, smtp_server):
    from newsletter.models import SenderIdentity
    db.session.add(SenderIdentity(name="Shop", from_name="The Shop",
                                  from_email="news@shop.example.com"))
    db.session.commit()
    mlist = public_list()
    signup(client, mlist, first_name="Rea")
    worker()
    [mail] = mails_to(smtp_server, "reader@example.com")
    assert mail["From"] == "The Shop <news@shop.example.com>"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert text.startswith("Hello Rea,")
    link = link_in(mail, "/confirm/")
    assert "Hello Rea," in html and f'{link}"' in html and "<a href=" in html


def test_the_signup_page_speaks_the_lists_language_when_the_browser_offers_none_of_ours(
        client):
    mlist = public_list(language="sk")
    page = client.get(f"/subscribe/{mlist.key}", headers={"Accept-Language": "hu,en;q=0.1"})
    assert '<html lang="en">' in page.text  # English was among the browser's languages
    page = client.get(f"/subscribe/{mlist.key}", headers={"Accept-Language": "hu"})
    assert '<html lang="sk">' in page.text and "Prihlásiť sa na odber" in page.text
    page = client.get(f"/subscribe/{mlist.key}", headers={"Accept-Language": "cs"})
    assert '<html lang="cs">' in page.text
    page = client.get(f"/subscribe/{mlist.key}?lang=de", headers={"Accept-Language": "cs"})
    assert '<html lang="de">' in page.text and ">E-Mail</label>" in page.text
    page = client.get(f"/subscribe/{mlist.key}?lang=xx", headers={"Accept-Language": "hu"})
    assert '<html lang="sk">' in page.text


def test_a_new_address_signs_up_in_few_round_trips(client, app):
    """Under load the web threads wait on every round trip to the database: a new address
    on a double opt-in list costs nine statements on one connection and one commit (the
    list, the plan's limit, the address, its insert in a savepoint, the subscription with
    its claimed confirmation mail, the webhook endpoints, the theme the answer wears)."""
    from sqlalchemy import event

    mlist = public_list()
    db.session.refresh(mlist)  # the test's own read of the list is not the signup's
    statements, checkouts = [], []
    with app.app_context():
        engine = db.engine
    record = lambda *args: statements.append(args[2])  # noqa: E731
    checkout = lambda *args: checkouts.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "checkout", checkout)
    try:
        assert signup(client, mlist, email="new.reader@example.com").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "checkout", checkout)
    assert len(statements) <= 9, "\n".join(s[:70] for s in statements)
    assert len(checkouts) == 1
    assert subscription("new.reader@example.com").confirmation_sent_at is not None
