"""Every admin page, opened by an owner who chose German, shows no English text that the
catalogue translates: a label or a status built before the language was known (at import,
in a worker) or shown without gettext would read as English here, although the template
test and the completeness test pass."""

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Campaign, MailingList, Segment
from newsletter.platform.i18n import LANGUAGES, SOURCE
from newsletter.webhooks.events import EVENTS as WEBHOOK_EVENTS
from tests.conftest import PASSWORD
from tests.platform.test_admin_wrapped import _Text
from tests.security import world as world_module
from tests.security.test_safe_methods import urls

#: pages that show something as it is, not in the admin's language: a message as it was
#: sent or as a sample recipient gets it (its headers by their names, its text and footer
#: in the recipient's language), and the API reference (the OpenAPI description, for
#: integrators)
AS_IT_IS = ("/admin/outbox/", "/admin/api-reference", "/admin/templates/",
            "/admin/themes/preview")
#: English msgids that are also good German (or names), so seeing them proves nothing
SAME = {"Newsletter", "E-mail", "Name", "Status", "Details", "Test", "Link", "Theme", "Design",
        "Start", "Stop", "Export", "Import", "Filter", "Segment", "Segmente", "Text", "Logo",
        "Webhook", "Webhooks", "Tag", "Tags", "Plan", "Reply-To", "SMS", "API"}


def english_translated_to_german() -> dict[str, str]:
    with (SOURCE / "de" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="de")
    found = {}
    for m in catalog:
        if not m.id or isinstance(m.id, tuple) or "%" in m.id or m.id in SAME:
            continue
        if m.string and m.string != m.id and len(m.id) > 2:
            found[m.id] = m.string
    return found


class _Words(_Text):
    """The page's readable text, leaving out code (event names, field names, headers)."""

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        self.skip += tag in ("code", "pre", "kbd", "samp")

    def handle_endtag(self, tag):
        super().handle_endtag(tag)
        self.skip -= tag in ("code", "pre", "kbd", "samp") and self.skip > 0


def texts(html: str) -> set[str]:
    parser = _Words()
    parser.feed(html)
    parser.close()
    return {" ".join(t.split()) for t in parser.found if t.strip()}


@pytest.fixture
def world(app, worker, smtp_server):
    app.config.update(RATE_PROFILE_IP="1000/60", RATE_LOGIN_IP="1000/60")
    return world_module.build(app, worker, smtp_server)


def test_no_admin_page_shows_english_the_catalogue_translates(app, client, world):
    assert client.post("/admin/login", data={"email": world.owner_email,
                                             "password": PASSWORD}).status_code == 302
    client.post("/admin/account", data={"time_zone": "UTC", "language": "de"})
    names = {*LANGUAGES.values(), *(db.session.scalars(select(Segment.name))),
             *db.session.scalars(select(MailingList.name)),
             *db.session.scalars(select(Campaign.name)),  # people's own words
             *WEBHOOK_EVENTS}  # identifiers integrators program against
    english = {k: v for k, v in english_translated_to_german().items() if k not in names}
    seen, pages = {}, 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
            continue
        for url in urls(rule, world):
            if url.startswith(AS_IT_IS):
                continue
            page = client.get(url)
            if page.status_code != 200 or "text/html" not in page.content_type:
                continue
            pages += 1
            for text in texts(page.text) & english.keys():
                seen.setdefault(text, url)
    assert pages > 40
    assert not seen, "\n".join(f"{url}: {text!r} (de: {english[text]!r})"
                               for text, url in sorted(seen.items()))
