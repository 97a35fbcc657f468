"""How an editor became owner: merge-tag syntax lets an editor put a script into campaign
content (``{{ "\\x3cscript\\x3e..."|safe }}`` passes the HTML sanitizer, which sees no
tag), the admin preview serves it on the admin's origin, and when an owner opens the
preview the script reads the CSRF token from /admin/users and posts a new owner account.
The account form now asks for the owner's own password, which no script has. (Keeping the
script from running at all is the rendering/CSP side of issue 11.)"""

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import func, select

from newsletter.extensions import db
from newsletter.models import Role, User
from tests.conftest import PASSWORD
from tests.factories import composed, list_with_contacts

pytestmark = pytest.mark.browser

SCRIPT = (
    "fetch('/admin/users').then(function(r){return r.text()}).then(function(t){"
    "var token=t.match(/name=.csrf_token. type=.hidden. value=.([A-Za-z0-9._-]+)/)[1];"
    "var f=new FormData();f.append('csrf_token',token);"
    "f.append('email','mallory@example.com');f.append('role','owner');"
    "f.append('password','mallory password 1');"
    "return fetch('/admin/users',{method:'POST',body:f})})"
    ".then(function(r){document.title='posted:'+r.status})"
)
PAYLOAD = '<p>{{ "\\x3cscript\\x3e' + SCRIPT + '\\x3c/script\\x3e"|safe }}</p>'


def owners() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(User.email).where(User.role == Role.OWNER)))


def test_an_owner_opening_an_editors_preview_makes_nobody_owner(page, live_server, make_user):
    make_user("owner@example.com", Role.OWNER)
    editor = make_user("editor@example.com", Role.EDITOR)
    campaign = composed(list_with_contacts("a@example.com"),
                        [{"type": "text", "text": "<p>Hello</p>"}])
    # the composer now refuses ``|safe`` at save; the row is written as an older build did,
    # so the preview's own defences (escaping, CSP, the owner's password) are what is tested
    campaign.body_html = PAYLOAD
    campaign.created_by_id = editor.id
    db.session.commit()

    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/admin/")
    page.goto(f"{live_server}/admin/campaigns/{campaign.id}/preview.html")
    try:  # where the preview still runs the script, let it finish its post
        page.wait_for_function("document.title.startsWith('posted:')", timeout=5000)
        outcome = page.title()
    except PlaywrightError:
        outcome = "the script did not run"
    assert owners() == ["owner@example.com"], outcome
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
