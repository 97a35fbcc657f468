"""What arrives at the server: list headers, VERP return path, stable Message-ID, DKIM."""

import re

import dkim
import pytest
from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Delivery, SenderIdentity
from newsletter.platform import tokens
from newsletter.platform.tokens import Purpose
from newsletter.sending.dkim import dns_record, generate_private_key
from newsletter.tracking import clicks
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import parse, start


def sender(**extra):
    identity = SenderIdentity(name="News", from_name="Acme News", from_email="news@acme.test",
                              **extra)
    db.session.add(identity)
    db.session.commit()
    return identity


def header_lines(data: bytes) -> dict[str, str]:
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    unfolded = re.sub(r"\r\n[ \t]+", " ", head)
    return dict(line.split(": ", 1) for line in unfolded.split("\r\n"))


def test_list_headers_and_return_path(app, worker, smtp_server):
    mlist = list_with_contacts("reader@example.com", name="Monthly")
    campaign = draft(mlist, subject="June", sender_id=sender().id)
    start(campaign)
    worker()
    [received] = smtp_server.messages
    delivery = db.session.scalar(select(Delivery))
    verp = tokens.short_sign(Purpose.BOUNCE, delivery.id)
    assert received.mail_from == f"bounces+{verp}@acme.test"
    assert tokens.short_verify(Purpose.BOUNCE, verp) == delivery.id

    h = header_lines(received.data)
    assert h["From"] == "Acme News <news@acme.test>"
    assert h["To"] == "reader@example.com"
    assert h["Subject"] == "June"
    assert h["Message-ID"] == f"<nl.{campaign.id}.{delivery.id}@acme.test>"
    assert h["List-Id"] == f'"Monthly" <{mlist.key}.acme.test>'
    assert h["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = re.fullmatch(r"<(https?://[^>]+)>, <(mailto:[^>]+)>",
                                 h["List-Unsubscribe"]).groups()
    token = https.rsplit("/u/", 1)[1]
    assert tokens.verify(Purpose.UNSUBSCRIBE, token) == {"c": delivery.contact_id,
                                                         "d": delivery.id}
    assert https.startswith(app.config["BASE_URL"] + "/u/")
    short = tokens.short_sign(Purpose.UNSUBSCRIBE, delivery.id)
    assert mailto == f"mailto:unsubscribe+{short}@acme.test?subject=unsubscribe"
    msg = parse(received)
    assert msg.get_content_type() == "multipart/alternative"
    assert https in msg.get_body(("plain",)).get_content()  # in the footer too
    html = msg.get_body(("html",)).get_content()
    assert "/u/" in html
    webview = re.search(r'href="[^"]*/m/([^"]+)"', html).group(1)
    assert clicks.read_message_token(webview) == (campaign.id, delivery.id)


def test_message_id_is_stable_across_retries(app, worker, smtp_server):
    smtp_server.handler.drop_during_data = 1  # first attempt: reply lost
    campaign = draft(list_with_contacts("a@example.com"))
    start(campaign)
    worker()
    from datetime import timedelta

    from newsletter import jobs
    from newsletter.models import utcnow
    delivery = db.session.scalar(select(Delivery))
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    ids = {parse(m)["Message-ID"] for m in smtp_server.messages}
    assert len(smtp_server.messages) == 2 and len(ids) == 1


def test_dkim_signature_verifies_with_dkimpy(app, worker, smtp_server):
    key = generate_private_key()
    identity = sender(dkim_selector="nl2026", dkim_private_key=key)
    campaign = draft(list_with_contacts("reader@example.com"), subject="Signed ščť",
                     body="Dobrý deň,\nnovinky.\n", sender_id=identity.id)
    start(campaign)
    worker()
    [received] = smtp_server.messages
    assert received.data.startswith(b"DKIM-Signature: v=1;")
    queried = []

    def dns(name, timeout=5):
        queried.append(name)
        return dns_record(key).encode()

    assert dkim.verify(received.data, dnsfunc=dns)
    assert queried == [b"nl2026._domainkey.acme.test."]
    signature = header_lines(received.data)["DKIM-Signature"]
    signed = re.search(r"h=([^;]+);", signature).group(1).split(":")
    for name in ("from", "to", "subject", "date", "message-id", "list-unsubscribe",
                 "list-unsubscribe-post"):
        assert name in signed
    # a changed recipient header breaks the signature
    tampered = received.data.replace(b"\r\nTo: reader@", b"\r\nTo: readex@", 1)
    assert tampered != received.data
    assert not dkim.verify(tampered, dnsfunc=dns)


@pytest.mark.parametrize("body", [b"", b"\r\n", b"a", b"a  b \t\r\n\r\n\r\n",
                                  b" lead\r\n\r\nx \r\n \r\n", b"a\r\n\r\nb", b"x\t\r\n.\r\n"])
def test_body_canonicalization_matches_dkimpy(body):
    from newsletter.sending.dkim import _relaxed_body

    assert _relaxed_body(body) == dkim.RelaxedCanonicalization.canonicalize_body(body)
