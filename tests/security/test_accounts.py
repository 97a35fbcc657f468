"""Admin accounts: login answers that reveal nothing, a per-IP login limit, logout that ends
the session on the server, a profile link that leaves the admin logged in, owner-only
actions refused to viewers and editors, and no way for an editor to make anyone owner."""

import pytest
from sqlalchemy import func, select

from newsletter.audience import lists, profiles
from newsletter.extensions import db
from newsletter.models import Role, SenderIdentity, User
from newsletter.platform import accounts
from newsletter.sending import senders
from tests.conftest import PASSWORD
from tests.public.helpers import public_list

from .state import changed, database_rows


def post_login(client, email, password, **kwargs):
    return client.post("/admin/login", data={"email": email, "password": password}, **kwargs)


def error_text(response) -> str:
    return response.text.split('class="error"', 1)[1].split("</p>", 1)[0]


def test_unknown_wrong_and_locked_accounts_get_the_same_answer_after_the_same_work(
        app, client, make_user, monkeypatch):
    app.config.update(LOGIN_LOCKOUT_THRESHOLD=2, RATE_LOGIN_IP="1000/60")
    make_user("locked@example.com")
    make_user("open@example.com")
    for _ in range(2):
        post_login(client, "locked@example.com", "wrong password")
    verified = []  # the argon2 hashes each login verified against (the work it did)
    real_verify = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda hash_, password: (
        verified.append(hash_.rsplit("$", 2)[0]), real_verify(hash_, password))[1])

    def attempt(email, password):
        verified.clear()
        response = post_login(client, email, password)
        return response, tuple(verified)

    cases = {"unknown": ("nobody@example.com", PASSWORD),
             "locked, right password": ("locked@example.com", PASSWORD),
             "locked, wrong password": ("locked@example.com", "wrong password"),
             "wrong password": ("open@example.com", "wrong password")}
    answers, work = {}, {}
    for name, (email, password) in cases.items():
        runs = [attempt(email, password) for _ in range(3)]
        answers[name] = {(r.status_code, error_text(r)) for r, _ in runs}
        work[name] = {w for _, w in runs}
    assert len({frozenset(a) for a in answers.values()}) == 1, answers
    assert "account" not in error_text(runs[0][0]).split("After")[0]  # no "locked", no "unknown"
    # one argon2 verification each, with the same parameters, locked or unknown or not
    assert len({frozenset(w) for w in work.values()}) == 1, work
    (only,) = next(iter(work.values()))
    assert len(only) == 1 and only[0].startswith("$argon2id$"), work


def test_logins_are_limited_per_ip(app, client, make_user):
    app.config["RATE_LOGIN_IP"] = "3/60"
    user = make_user("ed@example.com")
    for _ in range(3):
        assert post_login(client, user.email, "wrong password").status_code == 401
    limited = post_login(client, user.email, PASSWORD)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 3  # the 4th never reached the check
    elsewhere = post_login(client, user.email, PASSWORD,
                           environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 302


def test_logout_ends_the_session_on_the_server(client, login):
    login("owner")
    stolen = client.get_cookie("session").value
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout")
    assert client.get("/admin/").status_code == 302
    client.set_cookie("session", stolen)  # a copy of the cookie taken before the logout
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_a_new_password_ends_the_other_sessions(client, login):
    user = login("owner")
    accounts.set_password(db.session, user.id, "a brand new password")
    db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_a_subscriber_profile_link_leaves_the_admin_logged_in(client, login):
    login("owner")
    mlist = public_list()
    contact = lists.add_contact_to_list(db.session, mlist.id, "reader@example.com")
    url = profiles.profile_url(db.session, contact.id).removeprefix("http://127.0.0.1:5000")
    db.session.commit()
    code = client.get(url).headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/p/{code}").status_code == 200  # the profile is open
    assert client.get("/admin/").status_code == 200  # and the admin still logged in
    client.post("/p/logout")
    assert client.get(f"/p/{code}").status_code == 302
    assert client.get("/admin/").status_code == 200
    erase = f"/p/erase/{profiles.erasure_token(contact.id)}"
    assert client.post(erase).status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, Role.REVIEWER])
def test_owner_actions_are_refused_to_other_roles_and_change_nothing(client, login, role):
    sender = senders.save_sender(db.session, None, name="News", from_name="News",
                                 from_email="news@example.com", reply_to="", rate_limit=100,
                                 rate_period="hour", dkim_selector="")
    db.session.commit()
    login(role)
    before = database_rows()
    new_user = {"email": "mallory@example.com", "role": Role.OWNER,
                "password": "mallory password", "current_password": PASSWORD}
    sender_form = {"name": "Evil", "from_name": "Evil", "from_email": "evil@example.com",
                   "rate_limit": "1", "rate_period": "hour"}
    attempts = [("GET", "/admin/users", None), ("POST", "/admin/users", new_user),
                ("GET", "/admin/senders", None), ("GET", "/admin/senders/new", None),
                ("POST", "/admin/senders/new", sender_form),
                ("GET", f"/admin/senders/{sender.id}", None),
                ("POST", f"/admin/senders/{sender.id}", sender_form),
                ("POST", f"/admin/senders/{sender.id}/dkim", {})]
    for method, url, data in attempts:
        assert client.open(url, method=method, data=data).status_code == 403, (method, url)
    assert changed(before, database_rows()) == []
    assert db.session.scalar(select(SenderIdentity.name)) == "News"


def owners() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User)
                             .where(User.role == Role.OWNER))


def test_making_an_account_needs_the_owners_own_password(client, login):
    """What a script running in an owner's browser can do: post the form with the CSRF
    token it reads from the page, but without the owner's password."""
    owner = login("owner")
    new_owner = {"email": "mallory@example.com", "role": Role.OWNER,
                 "password": "mallory password"}
    assert client.post("/admin/users", data=new_owner).status_code == 422
    wrong = client.post("/admin/users", data={**new_owner, "current_password": "guess guess"})
    assert wrong.status_code == 422 and "Wrong e-mail or password" in wrong.text
    assert owners() == 1
    assert db.session.get(User, owner.id).failed_logins == 1  # guessing counts as a failure
    ok = client.post("/admin/users", data={**new_owner, "current_password": PASSWORD})
    assert ok.status_code == 302 and owners() == 2


def test_the_domain_refuses_account_creation_by_anyone_but_an_owner(app, make_user):
    lockout = {"threshold": 5, "base_seconds": 30, "max_seconds": 60}
    for role in (Role.EDITOR, Role.REVIEWER, Role.VIEWER):
        actor = make_user(f"{role}@example.com", role)
        with pytest.raises(accounts.NotAllowed):
            accounts.add_user(db.session, actor.id, PASSWORD, "x@example.com", Role.OWNER,
                              "long enough pw", **lockout)
    db.session.rollback()
    assert owners() == 0
