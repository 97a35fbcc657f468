"""View in browser (/m/<message token>) and the public archive (/archive/<list-key>)."""

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Contact, MailingList
from tests.tracking.helpers import html_links, path_of, received, send

PERSONAL = [{"type": "text", "text": '<p>Dear {{ first_name | default("reader") }} '
                                     '({{ email }})</p><p>Big news.</p>'}]


def test_view_in_browser_shows_the_recipients_message(client, worker, smtp_server):
    send("eva@example.com", blocks=PERSONAL, worker=worker)
    msg = received(smtp_server, "eva@example.com")
    webview = next(u for u in html_links(msg) if "/m/" in u)
    assert webview in msg.get_body(("plain",)).get_content()
    page = client.get(path_of(webview))
    assert page.status_code == 200
    assert "Dear Test (eva@example.com)" in page.text
    assert "script-src 'none'" in page.headers["Content-Security-Policy"]
    token = path_of(webview).rsplit("/", 1)[1]
    assert client.get(f"/m/{token[:-3]}xyz").status_code == 404


def test_archive_lists_only_opted_in_campaigns_with_personal_fields_blank(client, worker,
                                                                          smtp_server):
    published = send("eva@example.com", blocks=PERSONAL, worker=worker, public_archive=True,
                     subject="Issue one")
    mlist = db.session.scalar(select(MailingList))
    contact = db.session.scalar(select(Contact))
    assert contact.first_name == "Test"
    page = client.get(f"/archive/{mlist.key}")
    assert page.status_code == 200 and "Issue one" in page.text

    message = client.get(f"/archive/{mlist.key}/{published.id}").text
    assert "Dear reader ()" in message and "eva@example.com" not in message
    assert "Test" not in message.replace("Test campaign", "")
    assert "/u/" not in message and "/c/" not in message  # no personal links
    assert client.get("/archive/nope").status_code == 404


def test_campaigns_not_opted_in_stay_out_of_the_archive(client, worker, smtp_server):
    private = send("eva@example.com", blocks=PERSONAL, worker=worker, subject="Private")
    mlist = db.session.scalar(select(MailingList))
    assert "Private" not in client.get(f"/archive/{mlist.key}").text
    assert client.get(f"/archive/{mlist.key}/{private.id}").status_code == 404


def test_a_message_token_with_another_payload_is_404(client, app):
    from newsletter.platform import tokens

    for payload in (["x"], [1], [1, 2, 3], {"d": 1}, [1, 999]):
        assert client.get(f"/m/{tokens.sign(tokens.Purpose.MESSAGE, payload)}").status_code \
            == 404


def test_a_message_token_naming_another_campaign_is_404(client, worker, smtp_server):
    from newsletter.models import Delivery
    from newsletter.tracking import clicks

    campaign = send("eva@example.com", blocks=PERSONAL, worker=worker)
    delivery = db.session.scalar(select(Delivery))
    assert client.get(f"/m/{clicks.message_token(campaign.id, delivery.id)}").status_code \
        == 200
    other = clicks.message_token(campaign.id + 1, delivery.id)
    assert client.get(f"/m/{other}").status_code == 404


def test_the_archive_page_is_a_public_page_in_the_visitors_language(client, worker,
                                                                     smtp_server):
    send("eva@example.com", blocks=PERSONAL, worker=worker, public_archive=True,
         subject="Jarné novinky")
    mlist = db.session.scalar(select(MailingList))
    page = client.get(f"/archive/{mlist.key}", headers={"Accept-Language": "de"}).text
    assert '<html lang="de">' in page and "Frühere Ausgaben" in page
    assert "Jarné novinky" in page and "/admin/" not in page  # no admin header
