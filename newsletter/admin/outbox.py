"""The dev mail catcher's messages, readable in the admin: tracked links lead straight to
their targets there, so an editor reading a message counts no click or open for its
recipient."""

from flask import abort, current_app, render_template

from newsletter.channels import mailcatcher
from newsletter.channels import sms_outbox as sms_outbox_store
from newsletter.content import display
from newsletter.extensions import db
from newsletter.tracking import clicks

from . import bp


def _load(key: str):
    found = mailcatcher.get_message(current_app.config["OUTBOX_DIR"], key)
    if found is None:
        abort(404)
    return found


@bp.get("/outbox")
def outbox():
    messages = mailcatcher.list_messages(current_app.config["OUTBOX_DIR"])
    return render_template("admin/outbox.html", messages=messages,
                           using_catcher=not current_app.config["SMTP_URL"])


@bp.get("/outbox/<key>")
def outbox_message(key: str):
    msg, raw = _load(key)
    html, text = mailcatcher.bodies(msg)
    text = clicks.untracked(db.session, text, current_app.config["BASE_URL"], html=False) \
        if text else None
    return render_template("admin/outbox_message.html", key=key, msg=msg, html=html,
                           text=display.text_with_links(text) if text else None,
                           raw=raw.decode("utf-8", errors="replace"))


@bp.get("/outbox/<key>/html")
def outbox_html(key: str):
    """The HTML part, as every rendered message is shown (display.message_response: a
    sandbox, no scripts, no forms), readable by the outbox page so that it can size its
    frame to the whole message."""
    msg, _ = _load(key)
    html, _ = mailcatcher.bodies(msg)
    if html is None:
        abort(404)
    html = clicks.untracked(db.session, html, current_app.config["BASE_URL"], html=True)
    return display.message_response(display.links_open_outside(html), measurable=True)


@bp.get("/outbox/sms")
def sms_outbox():
    """What the dev SMS gateway received (channels.sms_outbox), newest first."""
    messages = sms_outbox_store.list_messages(current_app.config["SMS_OUTBOX_DIR"])
    return render_template("admin/outbox_sms.html", messages=messages)


@bp.get("/outbox/sms/<key>")
def sms_outbox_message(key: str):
    message = sms_outbox_store.get_message(current_app.config["SMS_OUTBOX_DIR"], key)
    if message is None:
        abort(404)
    return render_template("admin/outbox_sms_message.html", m=message)
