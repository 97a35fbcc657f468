"""Sending a composed campaign through the real worker and reading what arrived."""

import re
from email import message_from_bytes, policy

from newsletter import jobs
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from tests.factories import composed, list_with_contacts

BLOCKS = [
    {"type": "text", "text": '<p>Hi {{ first_name }}, see <a href="https://shop.example/'
                             'sale?a=1&b=2">the sale</a>.</p>'},
    {"type": "button", "label": "Blog", "url": "https://blog.example/"},
]


def send(*emails, blocks=BLOCKS, worker, **fields):
    campaign = composed(list_with_contacts(*emails), blocks, **fields)
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    return campaign


def received(smtp_server, address):
    raw = next(m.data for m in smtp_server.messages if m.rcpt_tos[0] == address)
    return message_from_bytes(raw, policy=policy.default)


def html_links(msg) -> list[str]:
    html = msg.get_body(("html",)).get_content()
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]
