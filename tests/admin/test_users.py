"""Owners invite people by mail (the invitee chooses the password) and mail an account a
link to set a new password; the link works once; role pickers start at the least
privilege."""

import re
from email import message_from_bytes, policy

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import AuditEntry, User
from tests.conftest import PASSWORD


def _link(smtp_server, address: str) -> str:
    raw = next(m.data for m in smtp_server.messages if m.rcpt_tos == [address])
    body = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    return "/" + re.search(r"https?://[^/\s]+/(admin/password/\S+)", body).group(1)


def _logs_in(app, email: str, password: str) -> bool:
    other = app.test_client()
    return other.post("/admin/login", data={"email": email, "password": password}) \
        .status_code == 302


def test_role_pickers_start_at_the_least_privilege(client, login):
    login("owner")
    page = client.get("/admin/users").text
    add = page.split("<h2>Add a user</h2>")[1]
    assert re.search(r'<option selected value="viewer">|<option value="viewer" selected',
                     add), add
    assert add.index('value="viewer"') < add.index('value="owner"')


def test_invited_person_chooses_the_password_through_a_link_that_works_once(
        app, client, login, worker, smtp_server):
    login("owner")
    response = client.post("/admin/users", data={
        "email": "Eva@Example.com", "role": "editor", "invite": "y",
        "current_password": PASSWORD})
    assert response.status_code == 302
    invited = db.session.scalar(select(User).where(User.email == "eva@example.com"))
    assert invited.role == "editor"
    worker()
    link = _link(smtp_server, "eva@example.com")
    visitor = app.test_client()  # the invitee's browser: not logged in
    form = visitor.get(link)
    assert form.status_code == 200 and "eva@example.com" in form.text
    differ = visitor.post(link, data={"password": "a long password", "again": "another one"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    short = visitor.post(link, data={"password": "short", "again": "short"})
    assert short.status_code == 422
    done = visitor.post(link, data={"password": "eva's own password",
                                    "again": "eva's own password"})
    assert done.status_code == 302 and done.location.endswith("/admin/login")
    assert _logs_in(app, "eva@example.com", "eva's own password")
    used = visitor.get(link)
    assert used.status_code == 410 and "not valid" in used.text
    assert visitor.post(link, data={"password": "taken over!!", "again": "taken over!!"}) \
        .status_code == 410
    assert not _logs_in(app, "eva@example.com", "taken over!!")
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "user.invited" in actions


def test_owner_mails_a_password_link_and_the_old_password_works_until_it_is_used(
        app, client, login, make_user, worker, smtp_server):
    login("owner")
    bob = make_user("bob@example.com", "viewer")
    assert client.post(f"/admin/users/{bob.id}/reset").status_code == 302
    worker()
    link = _link(smtp_server, "bob@example.com")
    assert _logs_in(app, "bob@example.com", PASSWORD)  # nothing changed yet
    visitor = app.test_client()
    visitor.post(link, data={"password": "bob's new password",
                             "again": "bob's new password"})
    assert not _logs_in(app, "bob@example.com", PASSWORD)
    assert _logs_in(app, "bob@example.com", "bob's new password")
    assert "user.password_reset" in db.session.scalars(select(AuditEntry.action)).all()


def test_only_owners_mail_password_links_and_forged_links_fail(app, client, login,
                                                               make_user, smtp_server):
    owner = make_user("owner2@example.com", "owner")
    login("editor")
    assert client.post(f"/admin/users/{owner.id}/reset").status_code == 403
    assert smtp_server.messages == []
    forged = app.test_client().get("/admin/password/eyJ1IjoxLCJ2IjowfQ.forged.sig")
    assert forged.status_code == 410
