from datetime import timedelta

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import User, utcnow
from tests.conftest import PASSWORD


def test_login_page_renders(client):
    response = client.get("/admin/login")
    assert response.status_code == 200
    assert "Log in" in response.text


def test_login_then_dashboard(client, make_user):
    make_user("ed@example.com")
    response = client.post("/admin/login", data={"email": "ED@example.com ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert "Campaigns" in client.get("/admin/").text


def test_password_is_stored_as_argon2id(make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_wrong_password_rerenders_with_error(client, make_user):
    make_user("ed@example.com")
    response = client.post("/admin/login", data={"email": "ed@example.com", "password": "nope"})
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text
    assert 'value="ed@example.com"' in response.text  # the input is kept


def test_unknown_user_gets_the_same_answer(client):
    response = client.post("/admin/login", data={"email": "who@example.com", "password": "x"})
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text


def test_lockout_grows_after_repeated_failures(app, client, make_user):
    app.config.update(LOGIN_LOCKOUT_THRESHOLD=3, LOGIN_LOCKOUT_BASE_SECONDS=30)
    make_user("ed@example.com")
    bad = {"email": "ed@example.com", "password": "wrong"}
    for _ in range(3):
        client.post("/admin/login", data=bad)
    response = client.post("/admin/login", data={"email": "ed@example.com", "password": PASSWORD})
    assert response.status_code == 401  # locked: the right password does not get in
    assert "Wrong e-mail or password." in response.text  # nor does the answer say why

    user = db.session.scalar(select(User).where(User.email == "ed@example.com"))
    first_lock = user.locked_until - utcnow()
    assert timedelta(seconds=20) < first_lock <= timedelta(seconds=30)
    # after the lock runs out, one more failure locks for twice as long
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    client.post("/admin/login", data=bad)
    db.session.refresh(user)
    assert timedelta(seconds=50) < user.locked_until - utcnow() <= timedelta(seconds=60)


def test_successful_login_resets_failures(client, make_user):
    make_user("ed@example.com")
    client.post("/admin/login", data={"email": "ed@example.com", "password": "wrong"})
    client.post("/admin/login", data={"email": "ed@example.com", "password": PASSWORD})
    user = db.session.scalar(select(User).where(User.email == "ed@example.com"))
    assert user.failed_logins == 0 and user.last_login_at is not None


def test_admin_pages_need_login(client):
    response = client.get("/admin/lists")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


def test_next_parameter_cannot_redirect_off_site(client, make_user):
    make_user("ed@example.com")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.post(f"/admin/login?next={target}",
                               data={"email": "ed@example.com", "password": PASSWORD})
        assert response.headers["Location"] == "/admin/"
        client.post("/admin/logout")
    response = client.post("/admin/login?next=/admin/lists",
                           data={"email": "ed@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/lists"


def test_viewer_reads_but_cannot_write(client, login):
    login("viewer")
    assert client.get("/admin/lists").status_code == 200
    response = client.post("/admin/lists/new", data={"name": "x"})
    assert response.status_code == 403
    assert "role does not allow" in response.text


def test_only_owners_manage_users(client, login):
    login("editor")
    assert client.get("/admin/users").status_code == 403


def test_owner_adds_a_user_and_bad_input_keeps_the_form(client, login):
    login("owner")
    response = client.post("/admin/users", data={"email": "new@example.com", "role": "editor",
                                                 "password": "short"})
    assert response.status_code == 422
    assert "at least 10" in response.text
    assert 'value="new@example.com"' in response.text
    response = client.post("/admin/users", data={"email": "new@example.com", "role": "editor",
                                                 "password": "long enough pw",
                                                 "current_password": PASSWORD})
    assert response.status_code == 302
    assert "new@example.com" in client.get("/admin/users").text


def test_logout(client, login):
    login()
    client.post("/admin/logout")
    assert client.get("/admin/").status_code == 302


def test_session_cookie_flags(app, client, make_user):
    make_user("ed@example.com")
    response = client.post("/admin/login", data={"email": "ed@example.com", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert app.permanent_session_lifetime <= timedelta(days=7)


def test_https_base_url_makes_cookies_secure(app_config):
    from newsletter.app import create_app

    app = create_app({**app_config, "BASE_URL": "https://news.example.com"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_forms_refuse_posts_without_csrf_token(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user("ed@example.com")
    response = client.post("/admin/login", data={"email": "ed@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.text
