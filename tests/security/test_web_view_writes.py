"""The web view (GET /m/<token>) shows the message as it is now (the recipient's language,
data and tracking choice may have changed since it was sent) without writing: a link that
has no tracked row yet is shown untracked, not created."""

from sqlalchemy import func, select

from newsletter.extensions import db
from newsletter.models import Contact, Link
from tests.tracking.helpers import html_links, path_of, received, send

BLOCKS = [{"type": "text", "text": '<p><a href="https://shop.example/?who={{ first_name }}">'
                                   'Your offer</a></p>'}]


def test_the_web_view_of_a_changed_recipient_writes_nothing(client, worker, smtp_server):
    send("eva@example.com", blocks=BLOCKS, worker=worker)
    webview = path_of(next(u for u in html_links(received(smtp_server, "eva@example.com"))
                           if "/m/" in u))
    links = db.session.scalar(select(func.count()).select_from(Link))
    contact = db.session.scalar(select(Contact))
    contact.first_name = "Evelyn"  # the personal link target is new now
    db.session.commit()
    page = client.get(webview)
    assert page.status_code == 200
    assert "https://shop.example/?who=Evelyn" in page.text  # shown, untracked
    assert db.session.scalar(select(func.count()).select_from(Link)) == links
