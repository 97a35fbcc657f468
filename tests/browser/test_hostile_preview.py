"""A hostile campaign opened by an owner in Chromium: the saved preview (on its own and in
its frames), a language variant and the composer's live preview run no script, so the
campaign cannot act with the owner's session (here: create an owner account)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from newsletter.content import composer
from newsletter.extensions import db
from newsletter.models import User
from tests.conftest import PASSWORD
from tests.factories import composed, list_with_contacts

pytestmark = pytest.mark.browser

#: what the script would do with an owner's session: add an owner of its own
ATTACK = ("window.__pwned=1;fetch('/admin/users').then(function(r){return r.text()})"
          ".then(function(t){var f=new FormData();f.set('csrf_token',new DOMParser()"
          ".parseFromString(t,'text/html').querySelector('[name=csrf_token]').value);"
          "f.set('email','evil@example.com');f.set('role','owner');"
          "f.set('password','evil password 123');"
          "return fetch('/admin/users',{method:'POST',body:f})})")
#: stored before the sandbox refused |safe (or written to the database some other way)
LEGACY = '<p>Old issue</p><p>{{ "<script>' + ATTACK + '</script>" | safe }}</p>'
#: saves today: every way of spelling the script stays text
SAVED = [{"type": "html", "text": (
    '<p>{{ "<scr" ~ "ipt>' + ATTACK + '</scr" ~ "ipt>" }}</p>'
    '<p>{{ "\\u003cimg src=x onerror=window.__pwned=2\\u003e" }}</p><p>New issue</p>')}]


def owners_browser(page, live_server, make_user) -> list[str]:
    """The owner logged in; the list of every URL the page requests from now on."""
    make_user("owner@example.com", "owner")
    page.goto(f"{live_server}/admin/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def ran_nothing(page, requests: list[str]) -> None:
    page.wait_for_timeout(300)  # the attack's fetches would have gone out by now
    assert not [url for url in requests if "/admin/users" in url], requests
    for frame in page.frames:
        if frame.url.startswith("http"):
            assert frame.evaluate("typeof window.__pwned") == "undefined", frame.url
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # the owner only


def test_a_hostile_campaign_runs_no_script_in_an_owners_browser(page, live_server,
                                                                 make_user):
    requests = owners_browser(page, live_server, make_user)
    mlist = list_with_contacts("eva@example.com")
    legacy = composed(mlist, [{"type": "text", "text": "<p>x</p>"}])
    legacy.body_html = LEGACY
    db.session.commit()
    for url in (f"/admin/campaigns/{legacy.id}/preview.html",
                f"/admin/campaigns/{legacy.id}/preview"):
        page.goto(live_server + url)
        page.wait_for_load_state("networkidle")
        ran_nothing(page, requests)

    saved = composed(mlist, SAVED)
    composer.save_variant(db.session, saved.id, "de", "Ausgabe", SAVED, None)
    db.session.commit()
    for url in (f"/admin/campaigns/{saved.id}/preview.html",
                f"/admin/campaigns/{saved.id}/preview.html?lang=de",
                f"/admin/campaigns/{saved.id}/preview"):
        page.goto(live_server + url)
        page.wait_for_load_state("networkidle")
        ran_nothing(page, requests)
    expect(page.frame_locator(".preview-desktop").get_by_text("New issue")).to_be_visible()

    page.goto(f"{live_server}/admin/campaigns/{saved.id}/edit")
    page.get_by_role("button", name="+ Raw HTML").click()
    block = page.get_by_label("HTML 2")
    block.fill('<p>Typed {{ "<scr" ~ "ipt>' + ATTACK + '</scr" ~ "ipt>" }}</p>')
    live = page.frame_locator("#live-preview")
    expect(live.get_by_text("Typed")).to_be_visible()
    ran_nothing(page, requests)
    block.fill(LEGACY)  # refused: the preview shows why, and runs nothing either
    expect(live.get_by_text("No filter named 'safe'")).to_be_visible()
    ran_nothing(page, requests)
