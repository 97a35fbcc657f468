"""The links mail scanners and link previewers open: HEAD and GET show a page and nothing
else; the state change is the POST behind the page's button (with a CSRF token), except
the RFC 8058 one-click unsubscribe, which mail clients post without cookies or token."""

import pytest
from sqlalchemy import select

from newsletter.audience import lists, profiles, subscriptions
from newsletter.extensions import db
from newsletter.models import Contact, ContactStatus, Subscription, SubscriptionStatus
from tests.public.helpers import public_list


@pytest.fixture
def reader(app):
    mlist = public_list()
    contact = lists.add_contact_to_list(db.session, mlist.id, "reader@example.com")
    db.session.commit()
    return contact.id, mlist.id


def status(contact_id):
    db.session.expire_all()
    contact = db.session.get(Contact, contact_id)
    return contact.status, db.session.scalar(select(Subscription.status))


def path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:5000")


@pytest.mark.parametrize("method", ["HEAD", "GET", "OPTIONS"])
def test_opening_the_erasure_link_erases_nothing(client, reader, method):
    contact_id, _ = reader
    url = f"/p/erase/{profiles.erasure_token(contact_id)}"
    assert client.open(url, method=method).status_code == 200
    assert status(contact_id) == (ContactStatus.ACTIVE, SubscriptionStatus.CONFIRMED)
    assert client.post(url).status_code == 200  # the button still works
    assert status(contact_id)[0] == ContactStatus.ERASED


@pytest.mark.parametrize("method", ["HEAD", "GET", "OPTIONS"])
def test_opening_the_unsubscribe_link_unsubscribes_nobody(client, reader, method):
    contact_id, list_id = reader
    url = path(subscriptions.unsubscribe_url(contact_id, list_id=list_id))
    assert client.open(url, method=method).status_code == 200
    assert status(contact_id) == (ContactStatus.ACTIVE, SubscriptionStatus.CONFIRMED)


@pytest.mark.parametrize("method", ["HEAD", "GET", "OPTIONS"])
def test_opening_the_login_link_neither_uses_it_nor_opens_the_profile(client, reader, method):
    contact_id, _ = reader
    code = profiles.ensure_code(db.session, db.session.get(Contact, contact_id))
    db.session.commit()
    url = f"/p/login/{profiles.login_token(contact_id)}"
    assert client.open(url, method=method).status_code == 200
    assert client.get(f"/p/{code}").status_code == 302  # no profile session handed out
    assert client.post(url).headers["Location"] == f"/p/{code}"  # the link is still unused
    assert client.get(f"/p/{code}").status_code == 200


def test_buttons_need_the_csrf_token_but_one_click_does_not(app, client, reader):
    app.config["WTF_CSRF_ENABLED"] = True
    contact_id, list_id = reader
    for url in (f"/p/erase/{profiles.erasure_token(contact_id)}",
                f"/p/login/{profiles.login_token(contact_id)}"):
        assert client.post(url).status_code == 400
    assert status(contact_id) == (ContactStatus.ACTIVE, SubscriptionStatus.CONFIRMED)
    one_click = client.post(path(subscriptions.unsubscribe_url(contact_id, list_id=list_id)),
                            data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert status(contact_id)[1] == SubscriptionStatus.UNSUBSCRIBED


def test_a_view_that_writes_on_get_is_refused_by_the_guard(app, reader):
    """The mechanism under the routes: a GET that tries to write answers 500 and writes
    nothing, whatever the view does."""
    contact_id, _ = reader

    @app.get("/test-only/write-on-get")
    def write_on_get():
        db.session.get(Contact, contact_id).first_name = "Changed"
        db.session.commit()
        return "written"

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    assert client.get("/test-only/write-on-get").status_code == 500
    assert client.head("/test-only/write-on-get").status_code == 500
    db.session.expire_all()
    assert db.session.get(Contact, contact_id).first_name != "Changed"
