"""The dev mail catcher's messages, readable in the admin."""

from flask import abort, current_app, render_template

from newsletter.channels import mailcatcher
from newsletter.content import display

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
    return render_template("admin/outbox_message.html", key=key, msg=msg, html=html,
                           text=display.text_with_links(text) if text else None,
                           raw=raw.decode("utf-8", errors="replace"))


@bp.get("/outbox/<key>/html")
def outbox_html(key: str):
    """The HTML part, as every rendered message is shown (display.message_response: a
    sandbox, no scripts, no same-origin access, no forms)."""
    msg, _ = _load(key)
    html, _ = mailcatcher.bodies(msg)
    if html is None:
        abort(404)
    return display.message_response(display.links_open_outside(html))
