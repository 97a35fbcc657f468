"""Privacy of subscribers: a used confirmation link does not lead to the profile; a
stranger's signup of an address that left changes nothing until the address confirms; the
signup answer (page and JSON) is the same whether or not an address is on the list."""

import time

import pytest
from sqlalchemy import select

from newsletter.audience import lists, profiles, subscriptions
from newsletter.extensions import db
from newsletter.models import (
    Contact,
    ContactStatus,
    OptIn,
    Subscription,
    SubscriptionStatus,
)
from tests.public.helpers import link_in, mails_to, public_list

from .state import changed, database_rows


def signup(client, mlist, email, **data):
    return client.post(f"/subscribe/{mlist.key}", data={"email": email, **data})


def api_signup(client, mlist, email, **data):
    return client.post(f"/api/v1/subscribe/{mlist.key}", json={"email": email, **data},
                       headers={"Origin": "https://site.example"})


def status_of(address):
    db.session.expire_all()
    return db.session.scalar(select(Subscription.status).join(Contact)
                             .where(Contact.email == address))


def confirmation_link(client, mlist, worker, smtp_server, address="reader@example.com"):
    signup(client, mlist, address)
    worker()
    return link_in(mails_to(smtp_server, address)[-1], "/confirm/")


# --- a used confirmation link -----------------------------------------------------------
def test_a_used_confirmation_link_does_not_lead_to_the_profile(client, worker, smtp_server):
    mlist = public_list()
    link = confirmation_link(client, mlist, worker, smtp_server)
    first = client.post(link)
    assert "Subscription confirmed" in first.text and "/p/" in first.text  # the subscriber
    for later in (client.get(link), client.head(link), client.post(link),
                  client.application.test_client().get(link)):  # anyone holding the link
        assert later.status_code == 400, later.status_code
        assert "/p/" not in later.text
    assert "already used" in client.get(link).text


def test_a_link_from_before_someone_left_does_not_bring_them_back(client, worker, smtp_server):
    mlist = public_list()
    link = confirmation_link(client, mlist, worker, smtp_server)
    client.post(link)
    time.sleep(1.1)  # token times have whole seconds: leave after the link's second
    contact_id = db.session.scalar(select(Contact.id))
    client.post(subscriptions.unsubscribe_url(contact_id, list_id=mlist.id),
                data={"List-Unsubscribe": "One-Click"})
    assert client.post(link).status_code == 400
    assert status_of("reader@example.com") == SubscriptionStatus.UNSUBSCRIBED


# --- a stranger's signup of an address that said no ---------------------------------------
def without_mail_time(rows: dict) -> dict:
    """The rows, minus the one value a signup may write: the subscription's last
    confirmation mail time (it keeps the mails to one a day)."""
    column = list(Subscription.__table__.columns.keys()).index("confirmation_sent_at")
    rows = dict(rows)
    rows["subscription"] = [row[:column] + row[column + 1:] for row in rows["subscription"]]
    return rows


def new_pending_rows(before: dict, after: dict) -> list:
    """Subscription rows the signup added: a pending request for a list the address was
    not on (it carries the confirmation link); nothing else may appear."""
    status = list(Subscription.__table__.columns.keys()).index("status")
    added = [row for row in after["subscription"] if row not in before["subscription"]]
    gone = [row for row in before["subscription"] if row not in after["subscription"]]
    assert gone == [] and all(r[status] == SubscriptionStatus.UNCONFIRMED for r in added)
    return added


def _left_the_list(client, mlist):
    contact = lists.add_contact_to_list(db.session, mlist.id, "reader@example.com",
                                        first_name="Rea")
    db.session.commit()
    client.post(subscriptions.unsubscribe_url(contact.id, list_id=mlist.id),
                data={"List-Unsubscribe": "One-Click"})


def _left_everything(client, mlist):
    _left_the_list(client, public_list("Other news"))
    contact = db.session.scalar(select(Contact))
    assert contact.status == ContactStatus.INACTIVE


def _bounced(client, mlist):
    contact = lists.add_contact_to_list(db.session, mlist.id, "reader@example.com")
    contact.status = ContactStatus.BOUNCED
    db.session.commit()


@pytest.mark.parametrize("optin", [OptIn.SINGLE, OptIn.DOUBLE])
@pytest.mark.parametrize("said_no", [_left_the_list, _left_everything, _bounced],
                         ids=["left the list", "left everything", "bounced"])
def test_a_strangers_signup_changes_nothing_until_the_address_confirms(
        client, worker, smtp_server, optin, said_no):
    mlist = public_list(optin=optin)
    said_no(client, mlist)
    before = without_mail_time(database_rows())
    for answer in (signup(client, mlist, "Reader@Example.com", first_name="Mallory",
                          language="de"),
                   api_signup(client, mlist, "reader@example.com", last_name="Mallory")):
        assert answer.status_code == 200
    after = without_mail_time(database_rows())
    added = new_pending_rows(before, after)
    assert len(added) == (1 if said_no is _left_everything else 0)  # a list it was not on
    after["subscription"] = [row for row in after["subscription"] if row not in added]
    assert changed(before, after) == [], "a stranger changed the address's data"

    worker()  # the address itself decides: one confirmation link
    [mail] = mails_to(smtp_server, "reader@example.com")
    assert client.post(link_in(mail, "/confirm/")).status_code == 200
    assert status_of("reader@example.com") == SubscriptionStatus.CONFIRMED
    assert db.session.scalar(select(Contact.status)) == ContactStatus.ACTIVE


# --- one answer for every address ------------------------------------------------------
def _states(mlist, other):
    """Addresses in every state a list can know them in."""
    lists.add_contact_to_list(db.session, mlist.id, "subscribed@example.com")
    subscriptions.signup(db.session, mlist, "pending@example.com", text_version="en-x",
                         evidence=subscriptions.Evidence(None, None, "test"))
    left = lists.add_contact_to_list(db.session, mlist.id, "left@example.com")
    subscriptions.withdraw(db.session, db.session.scalar(select(Subscription).where(
        Subscription.contact_id == left.id)), subscriptions.Evidence(None, None, "test"))
    other_list_only = lists.add_contact_to_list(db.session, other.id, "elsewhere@example.com")
    erased = lists.add_contact_to_list(db.session, mlist.id, "erased@example.com")
    profiles.erase(db.session, erased.id)
    db.session.commit()
    assert other_list_only.id
    return ["new@example.com", "subscribed@example.com", "pending@example.com",
            "left@example.com", "elsewhere@example.com", "erased@example.com"]


@pytest.mark.parametrize("optin", [OptIn.SINGLE, OptIn.DOUBLE])
def test_the_signup_answer_is_the_same_for_every_address(app, client, worker, smtp_server,
                                                         optin):
    app.config.update(RATE_SIGNUP_IP="1000/60")
    mlist = public_list(optin=optin)
    addresses = _states(mlist, public_list("Other news"))
    pages = {a: signup(client, mlist, a) for a in addresses}
    pages["a bot"] = signup(client, mlist, "bot@example.com", website="http://spam.example")
    jsons = {a: api_signup(client, mlist, a) for a in addresses}
    jsons["a bot"] = api_signup(client, mlist, "bot2@example.com", website="x")
    assert len({(r.status_code, r.text) for r in pages.values()}) == 1, \
        {a: r.text.split("<h1>")[1][:60] for a, r in pages.items()}
    assert len({(r.status_code, r.text) for r in jsons.values()}) == 1, \
        {a: r.json for a, r in jsons.items()}
    if optin == OptIn.DOUBLE:  # "check your inbox" holds: a mail for each address
        worker()  # (pending@ had its confirmation mail today: at most one a day)
        received = {a: len(mails_to(smtp_server, a)) for a in addresses}
        assert received == {a: 0 if a == "pending@example.com" else 1 for a in addresses}
        [notice] = mails_to(smtp_server, "subscribed@example.com")
        assert "already subscribed" in notice["Subject"]
