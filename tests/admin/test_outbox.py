"""The dev mail catcher stores what it receives; admins read it at /admin/outbox."""

import smtplib
from email.message import EmailMessage

import pytest

from newsletter.channels import mailcatcher
from tests.conftest import _allowed_smtp
from tests.smtp_server import free_port


@pytest.fixture
def catcher(app):
    port = free_port()
    controller = mailcatcher.start(app.config["OUTBOX_DIR"], port)
    _allowed_smtp.add(("127.0.0.1", port))
    yield port
    _allowed_smtp.discard(("127.0.0.1", port))
    controller.stop()


def send(port, html=None):
    msg = EmailMessage()
    msg["From"] = "news@example.com"
    msg["To"] = "reader@example.com"
    msg["Subject"] = "Caught <b>here</b>"
    msg.set_content("plain words")
    if html:
        msg.add_alternative(html, subtype="html")
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(msg)


def test_outbox_lists_and_shows_caught_messages(client, login, catcher):
    login()
    send(catcher, html="<h1>Big news</h1><script>alert(1)</script>")
    listing = client.get("/admin/outbox").text
    assert "reader@example.com" in listing
    assert "Caught &lt;b&gt;here&lt;/b&gt;" in listing  # escaped, not rendered

    key = mailcatcher.list_messages(client.application.config["OUTBOX_DIR"])[0]["key"]
    detail = client.get(f"/admin/outbox/{key}").text
    assert "plain words" in detail  # text part
    assert "Subject" in detail and "X-Outbox-Envelope-To" in detail  # headers
    assert "Content-Type: multipart/alternative" in detail  # raw source
    assert "<iframe" in detail and "sandbox" in detail

    html = client.get(f"/admin/outbox/{key}/html")
    assert "<h1>Big news</h1>" in html.text
    assert html.headers["Content-Security-Policy"].startswith("sandbox")


def test_unknown_message_is_404(client, login, catcher):
    login()
    assert client.get("/admin/outbox/nope").status_code == 404


def test_empty_outbox_explains_itself(client, login):
    login()
    assert "No messages yet" in client.get("/admin/outbox").text


def test_outbox_decodes_subjects_and_makes_text_links_clickable(client, login, catcher):
    login()
    msg = EmailMessage()
    msg["From"], msg["To"] = "news@example.com", "reader@example.com"
    msg["Subject"] = "Zľava 20 % na jarnú kolekciu"
    msg.set_content("Look: https://shop.example/jar?a=1&b=2 and <b>this</b>.\n")
    with smtplib.SMTP("127.0.0.1", catcher) as smtp:
        smtp.send_message(msg)
    listing = client.get("/admin/outbox").text
    assert "Zľava 20 % na jarnú kolekciu" in listing and "=?utf-8?" not in listing
    key = mailcatcher.list_messages(client.application.config["OUTBOX_DIR"])[0]["key"]
    detail = client.get(f"/admin/outbox/{key}").text
    assert ('<a href="https://shop.example/jar?a=1&amp;b=2" rel="noopener noreferrer" '
            'target="_blank">https://shop.example/jar?a=1&amp;b=2</a>') in detail
    assert "&lt;b&gt;this&lt;/b&gt;" in detail  # the rest stays text


def test_links_in_the_html_frame_open_in_a_new_tab_and_the_message_opens_whole(
        client, login, catcher):
    login()
    send(catcher, html='<!DOCTYPE html><html><head><title>x</title></head><body><p>'
                       '<a href="https://shop.example/">Shop</a></p><p>Footer</p></body></html>')
    key = mailcatcher.list_messages(client.application.config["OUTBOX_DIR"])[0]["key"]
    detail = client.get(f"/admin/outbox/{key}").text
    assert 'sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"' in detail
    assert f'href="/admin/outbox/{key}/html" target="_blank"' in detail  # the whole message
    html = client.get(f"/admin/outbox/{key}/html").text
    assert '<a target="_blank" rel="noopener noreferrer" href="https://shop.example/">' in html


def test_reading_and_clicking_in_the_outbox_counts_nothing_for_the_recipient(
        app, client, login, worker):
    """The outbox shows the tracked message with its links pointing at their targets."""
    from newsletter.extensions import db
    from newsletter.models import Link
    from newsletter.tracking import clicks
    from tests.factories import draft, list_with_contacts

    login()
    campaign = draft(list_with_contacts("a@example.com"))
    link = Link(campaign_id=campaign.id, url="https://shop.example/a?x=1&y=2")
    db.session.add(link)
    db.session.commit()
    base = app.config["BASE_URL"]
    token = clicks.message_token(campaign.id, 7)
    tracked = f"{base}/c/{token}/{link.id}"
    html = (f'<p><a href="{tracked}">Shop</a></p>'
            f'<img src="{clicks.open_pixel_url(base, token)}" width="1" height="1" alt="">')
    shown = clicks.untracked(db.session, html, base, html=True)
    assert 'href="https://shop.example/a?x=1&amp;y=2"' in shown and "/o/" not in shown
    text = clicks.untracked(db.session, f"Shop: {tracked}\n", base, html=False)
    assert text == "Shop: https://shop.example/a?x=1&y=2\n"
    forged = f"{base}/c/{token}x/{link.id}"
    assert clicks.untracked(db.session, forged, base, html=False) == forged
