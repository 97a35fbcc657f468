"""Every rendered message reaches a browser one way (content.display.message_response):
merge output escaped and sanitized as rendered, and a CSP that lets no script run. The
routes are found by walking the URL map, so a new route showing a message is checked too;
every other page gets the self-only page CSP and refuses framing by other sites."""

import mailbox
import re
from itertools import product

from sqlalchemy import select

from newsletter import jobs
from newsletter.campaigns import lifecycle
from newsletter.content import composer, display
from newsletter.extensions import db
from newsletter.models import Campaign, Contact
from tests.factories import composed, list_with_contacts
from tests.security.helpers import active_content
from tests.tracking.helpers import html_links, received

MARKER = 'title="RENDERED-ATTR"'  # only a rendered HTML body has it (not text, not source)
HOSTILE = [{"type": "html", "text": (
    '<p title="{{ \'RENDERED\' ~ \'-ATTR\' }}">Issue for {{ first_name }}</p>'
    '<p>{{ "\\u003cscr" ~ "ipt\\u003ewindow.__pwned=1\\u003c/scr" ~ "ipt\\u003e" }}</p>'
    '<p>{{ "\\u003cscript\\u003ewindow.__pwned=2\\u003c/script\\u003e" }}</p>'
    '<p>{{ attributes.x | default("\\u003cimg src=x onerror=window.__pwned=3\\u003e") }}</p>'
    '<p><a href="https://shop.example/?who={{ email }}">shop</a></p>')}]
#: stored before the sandbox refused |safe: it must not render anywhere
LEGACY = ('<p title="{{ "RENDERED" ~ "-ATTR" }}">'
          '{{ "<script>window.__pwned=4</script>" | safe }}</p>')
#: message routes that must be among those found (the walk must not pass vacuously)
EXPECTED = {"admin.preview_html", "admin.outbox_html", "public.message",
            "public.archived_message"}


def hostile_world(app, client, login, worker, smtp_server) -> dict:
    login("owner")
    mlist = list_with_contacts("eva@example.com")
    db.session.scalar(select(Contact)).first_name = "<script>window.__pwned=5</script>"
    db.session.commit()
    campaign = composed(mlist, HOSTILE, subject="Issue {{ first_name }}", public_archive=True)
    composer.save_variant(db.session, campaign.id, "de", "Ausgabe", HOSTILE, None)
    legacy = composed(mlist, [{"type": "text", "text": "<p>old</p>"}], public_archive=True)
    legacy.body_html = LEGACY
    db.session.commit()
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    message = received(smtp_server, "eva@example.com")
    token = next(u for u in html_links(message) if "/m/" in u).rsplit("/", 1)[1]
    outbox = mailbox.Maildir(app.config["OUTBOX_DIR"], create=True)
    outbox_key = outbox.add(mailbox.MaildirMessage(smtp_server.messages[0].data))
    return {"campaign_id": [campaign.id, legacy.id], "list_key": [mlist.key],
            "key": [mlist.key, outbox_key], "token": [token], "language": ["de"],
            "name": ["newsletter"], "list_id": [mlist.id],
            "contact_id": [db.session.scalar(select(Contact.id))]}


def get_every_page(app, client, values: dict):
    """(endpoint, url, response) for every GET route, each URL argument filled with each
    value the world has for it (an unknown argument gets "1")."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        names = sorted(rule.arguments - set(rule.defaults or {}))
        for combination in product(*(values.get(name, ["1"]) for name in names)):
            url = adapter.build(rule.endpoint, dict(zip(names, combination, strict=True)))
            for query in ("", "?lang=de"):
                yield rule.endpoint, url + query, client.get(url + query, buffered=True)


def test_every_route_serving_a_rendered_message_uses_the_one_mechanism(
        app, client, login, worker, smtp_server):
    world = hostile_world(app, client, login, worker, smtp_server)
    found = set()
    for endpoint, url, response in get_every_page(app, client, world):
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        if MARKER in html:  # a rendered message
            found.add(endpoint)
            assert display.is_message_response(response), \
                f"{url} shows a rendered message without display.message_response"
            assert active_content(html, allowed={"meta"}) == [], url
        else:
            assert active_content(html, allowed={"form", "meta", "svg", "iframe"}) == [], url
        csp = response.headers.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src and "unsafe" not in script_src.group(1), (url, csp)
        assert "frame-ancestors" in csp and response.headers.get("X-Frame-Options"), url
        if response.status_code == 200 and endpoint.startswith("admin."):
            assert "frame-ancestors 'none'" in csp or display.is_message_response(response)
    assert found >= EXPECTED, f"message routes not reached: {EXPECTED - found}"


def test_the_live_preview_and_template_previews_are_served_the_same_way(
        app, client, login, worker, smtp_server):
    world = hostile_world(app, client, login, worker, smtp_server)
    form = {"name": "June", "subject": "June", "lists": world["list_id"], "sender": 0,
            "theme": 0, "template": "blank", "language": "en", "blocks-0-type": "html",
            "blocks-0-text": HOSTILE[0]["text"]}
    live = client.post("/admin/campaigns/preview", data=form)
    assert live.status_code == 200 and MARKER in live.text
    assert display.is_message_response(live) and active_content(live.text, {"meta"}) == []
    refused = client.post("/admin/campaigns/preview", data={
        **form, "blocks-0-text": LEGACY})
    assert refused.status_code == 422 and display.is_message_response(refused)
    assert "safe" in refused.text and "<script" not in refused.text
    template = client.get("/admin/templates/newsletter/preview")
    assert template.status_code == 200 and display.is_message_response(template)


def test_the_message_policy_forbids_script_and_framing_by_others(app, client, login, worker,
                                                                  smtp_server):
    world = hostile_world(app, client, login, worker, smtp_server)
    legacy_id = world["campaign_id"][1]
    for url in (f"/admin/campaigns/{world['campaign_id'][0]}/preview.html",
                f"/admin/campaigns/{legacy_id}/preview.html",
                f"/m/{world['token'][0]}"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert csp.startswith("sandbox") and "script-src 'none'" in csp, url
        assert "frame-ancestors 'self'" in csp and "default-src 'none'" in csp, url
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", url
        assert "<script" not in response.text and "__pwned=4" not in response.text, url
    assert client.get(f"/admin/campaigns/{legacy_id}/preview.html").status_code == 422
    legacy = db.session.get(Campaign, legacy_id)
    assert "| safe" in legacy.body_html  # still stored as it was: it is refused, not edited


def test_admin_templates_have_no_inline_script_or_style():
    """The page CSP allows only our own files: templates must not need more."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    problems = []
    for path in sorted(root.rglob("*.html")):
        relative = str(path.relative_to(root))
        if relative.startswith(("mail/", "public/mail/")) or relative in (
                "public/embed_snippet.html", "admin/preview_error.html"):
            continue  # a message (message CSP), a snippet for other sites, an error in one
        text = path.read_text()
        problems += [f"{relative}: inline script" for _ in re.finditer(
            r"<script(?![^>]*\bsrc=)", text)]
        problems += [f"{relative}: {m.group(0)}" for m in re.finditer(
            r"\s(style|on[a-z]+)=", text)]
    assert problems == []


def test_page_csp_reaches_pages_outside_the_admin(client):
    page = client.get("/admin/login")
    assert page.headers["Content-Security-Policy"] == display.PAGE_CSP
    assert page.headers["X-Frame-Options"] == "DENY"
