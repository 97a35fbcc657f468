"""A small but complete world for the security tests: one of everything an admin page or a
public link can name (a sent campaign with its tracked links, tokens of every purpose, a
draft with a language variant and an attachment, a theme, a sender, a block-list entry, an
import, an image, a message in the dev outbox), built through the domain functions and the
real worker, SMTP server and Redis."""

import io
import mailbox
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from flask import current_app

from newsletter import jobs
from newsletter.audience import lists, profiles, subscriptions
from newsletter.audience.subscriptions import Evidence
from newsletter.automation import recurring, sequences
from newsletter.blocklist import entries
from newsletter.campaigns import lifecycle
from newsletter.channels import servers
from newsletter.channels.base import OutgoingMessage
from newsletter.channels.sms_outbox import SmsOutbox
from newsletter.content import blocks, composer, media, saved_templates, themes
from newsletter.extensions import db
from newsletter.imports import pipeline
from newsletter.models import Channel, OptIn, utcnow
from newsletter.platform import accounts, apikeys, invitations
from newsletter.segments import segments
from newsletter.sending import senders, sms_receipts
from newsletter.transactional import requests as transactional_requests
from newsletter.webhooks import endpoints as webhook_endpoints
from tests.conftest import PASSWORD
from tests.factories import composed
from tests.public.helpers import public_list

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
BLOCKS = [
    {"type": "text", "text": '<p>Hi {{ first_name }}, see <a href="https://shop.example/">'
                             'the sale</a>.</p>'},
    {"type": "button", "label": "Blog", "url": "https://blog.example/"},
]
READER = "reader@example.com"
EXTRA = "extra@example.com"


@dataclass
class World:
    owner_email: str
    contact_id: int
    code: str
    profile_path: str  # the footer link: /p/<code>?s=...
    #: URL argument name -> the values to walk with; ``by_rule`` overrides per URL rule
    args: dict[str, list] = field(default_factory=dict)
    by_rule: dict[str, dict[str, list]] = field(default_factory=dict)

    def values(self, rule: str, name: str) -> list:
        return self.by_rule.get(rule, {}).get(name) or self.args.get(name, [])


def _mail_to(smtp_server, address: str):
    raw = next(m.data for m in smtp_server.messages if address in m.rcpt_tos)
    return message_from_bytes(raw, policy=policy.default), raw


def _paths(html: str, prefix: str) -> list[str]:
    found = re.findall(r'(?:href|src)="https?://[^/"]+(' + re.escape(prefix) + r'[^"]*)"', html)
    return [p.replace("&amp;", "&") for p in found]


def _sent_campaign(mlist, worker):
    campaign = composed(mlist, BLOCKS, public_archive=True, track_opens=True,
                        extra_recipients=EXTRA)
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    return campaign


def _draft(mlist):
    draft = composed(mlist, [{"type": "text", "text": "<p>Draft</p>"}])
    composer.save_variant(db.session, draft.id, "de", "Hallo",
                          [{"type": "text", "text": "<p>Entwurf</p>"}], None)
    attachment = media.add_attachment(db.session, draft.id, "terms.pdf", "application/pdf",
                                      b"%PDF-1.4 terms")
    db.session.commit()
    return draft, attachment


def _admin_things(mlist, owner_email: str) -> dict[str, list]:
    theme = themes.save_theme(db.session, None, name="Blue", primary_color="#1a5fb4",
                              background_color="#ffffff", text_color="#111111",
                              font_family=next(iter(themes.FONTS)), logo_url="")
    sender = senders.save_sender(db.session, None, name="News", from_name="News",
                                 from_email="news@example.com", reply_to="", rate_limit=3000,
                                 rate_period="hour", dkim_selector="")
    entry = entries.save_entry(db.session, None, entries.EntryData(
        email="blocked@example.com", channels=[Channel.EMAIL]))
    imp = pipeline.store_upload(db.session, mlist.id, io.BytesIO(b"email\nx@example.com\n"),
                                "people.csv", owner_email)
    image = media.add_image(db.session, "dot.png", PNG)
    segment = segments.save_segment(db.session, None, name="Clickers", description="",
                                    definition={"match": "all", "groups": [{"match": "all",
                                                "conditions": [{"kind": "clicked_ever",
                                                                "op": "yes"}]}]})
    template = composed(mlist, [{"type": "text", "text": "<p>Weekly</p>"}])
    series = recurring.create_series(db.session, template.id, name="Weekly", cron="0 9 * * 1",
                                     timezone="Europe/Bratislava", now=utcnow())
    server = servers.save_mail_server(
        db.session, current_app.config, None, servers.MailServerData(
            name="Relay", host="127.0.0.1", port=1, security="starttls", username="u"), "pw")
    gateway = servers.save_gateway(db.session, current_app.config, None, servers.GatewayData(
        name="Operator", kind="smpp", host="127.0.0.1", port=1, username="sys"), "pw")
    welcome = sequences.save_sequence(db.session, None, name="Welcome", list_id=mlist.id,
                                      trigger="confirmation")
    step = sequences.add_step(db.session, welcome.id, delay=60, subject="Welcome",
                              template="announcement")
    sequences.set_active(db.session, welcome.id, True, utcnow())
    db.session.commit()
    return {"theme_id": [theme.id], "sender_id": [sender.id], "entry_id": [entry.id],
            "import_id": [imp.id], "image_key": [image.key], "segment_id": [segment.id],
            "series_id": [series.id], "server_id": [server.id], "gateway_id": [gateway.id],
            "sequence_id": [welcome.id], "step_id": [step.id]}


def _saved_template(campaign_id: int) -> int:
    return saved_templates.save_from_campaign(db.session, campaign_id, "House style").id


def build(app, worker, smtp_server) -> World:
    owner = accounts.create_user(db.session, "owner@example.com", "owner", PASSWORD)
    mlist = public_list("Weekly news", optin=OptIn.DOUBLE)
    reader = lists.add_contact_to_list(db.session, mlist.id, READER, first_name="Rea")
    pending = subscriptions.signup(db.session, mlist, "new@example.com", text_version="en-x",
                                   evidence=Evidence("192.0.2.1", "test", "test"))
    db.session.commit()

    sent = _sent_campaign(mlist, worker)
    msg, raw = _mail_to(smtp_server, READER)
    html = msg.get_body(("html",)).get_content()
    extra_html = _mail_to(smtp_server, EXTRA)[0].get_body(("html",)).get_content()
    clicks = [p.split("/") for p in _paths(html, "/c/")]  # ["", "c", token, link id]
    message_token = _paths(html, "/m/")[0].split("/")[2]
    profile_path = _paths(html, "/p/")[0]
    code = profile_path.split("/")[2].split("?")[0]
    mailbox.Maildir(app.config["OUTBOX_DIR"], create=True).add(mailbox.MaildirMessage(raw))
    outbox_key = mailbox.Maildir(app.config["OUTBOX_DIR"]).keys()[0]
    sms_key = SmsOutbox(app.config["SMS_OUTBOX_DIR"]).send(
        OutgoingMessage("", "+421905123456", b"Ahoj {{ first_name }} <b>")).split()[1]

    draft, attachment = _draft(mlist)
    admin = _admin_things(mlist, owner.email)
    image_key = admin.pop("image_key")
    api_key = apikeys.create_key(db.session, owner.id, "CRM", ["contacts:read"]).key
    template_id = _saved_template(draft.id)
    hook = webhook_endpoints.create_endpoint(
        db.session, owner.id, "CRM", "https://hooks.example/x", ["subscribed"],
        allow_private=False).endpoint
    transactional = transactional_requests.request_message(
        db.session, draft.id, "t@example.com", {}, None, None, app.config["BASE_URL"])
    db.session.commit()
    message = {"token": [message_token]}
    return World(
        owner_email=owner.email, contact_id=reader.id, code=code, profile_path=profile_path,
        args={
            "campaign_id": [sent.id, draft.id], "contact_id": [reader.id],
            "list_id": [mlist.id], "list_key": [mlist.key], "code": [code],
            "language": ["de"], "attachment_id": [attachment.id], "action": ["pause"],
            "decision": ["approve"],
            "name": [next(iter(blocks.TEMPLATES))], "filename": ["style.css"],
            "link_id": [int(clicks[0][3])], "key_id": [api_key.id], **admin,
            "user_id": [owner.id], "template_id": [template_id],
            "endpoint_id": [hook.id], "message_id": [transactional.id],
        },
        by_rule={
            "/c/<token>/<int(max=2147483647):link_id>": {"token": [clicks[0][2]]},
            "/o/<token>.gif": message,
            "/m/<token>": message,
            "/u/<token>": {"token": [_paths(html, "/u/")[0].split("/")[2],
                                     _paths(extra_html, "/u/")[0].split("/")[2]]},
            "/confirm/<token>": {"token": [subscriptions.confirmation_token(
                pending.subscription_id, "en-x")]},
            "/p/login/<token>": {"token": [profiles.login_token(reader.id)]},
            "/p/erase/<token>": {"token": [profiles.erasure_token(reader.id)]},
            "/subscribe/<key>": {"key": [mlist.key]},
            "/api/v1/subscribe/<key>": {"key": [mlist.key]},
            "/media/<key>": {"key": image_key},
            "/admin/outbox/<key>": {"key": [outbox_key]},
            "/admin/outbox/<key>/html": {"key": [outbox_key]},
            "/admin/outbox/sms/<key>": {"key": [sms_key]},
            "/sms/inbound/<token>": {"token": [sms_receipts.inbound_token("outbox"), "bad"]},
            "/admin/password/<token>": {"token": [invitations.link_token(owner), "bad"]},
        },
    )
