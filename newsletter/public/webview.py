"""Messages in the browser: "view in browser" per recipient (/m/<message token>), the public
archive of a list (/archive/<list-key>) and uploaded images (/media/<key>)."""

from flask import abort, current_app, render_template, request

from newsletter.content import display, media, webview
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.platform.i18n import use_fallback_language
from newsletter.platform.ratelimit import limit

from . import bp


@bp.get("/m/<token>")
def message(token: str):
    limit("view_ip", request.remote_addr or "")
    try:
        out = webview.view_in_browser(db.session, token, current_app.config["BASE_URL"])
    except DomainError:
        abort(404)
    return display.message_response(out.html)


@bp.get("/archive/<list_key>")
def archive(list_key: str):
    limit("view_ip", request.remote_addr or "")
    try:
        mlist, published = webview.archived_campaigns(db.session, list_key)
    except DomainError:
        abort(404)
    use_fallback_language(mlist.language)  # for browsers that ask for none of ours
    return render_template("public/archive.html", mlist=mlist, campaigns=published)


@bp.get("/archive/<list_key>/<int:campaign_id>")
def archived_message(list_key: str, campaign_id: int):
    limit("view_ip", request.remote_addr or "")
    try:
        out = webview.render_archived(db.session, list_key, campaign_id,
                                      current_app.config["BASE_URL"])
    except DomainError:
        abort(404)
    return display.message_response(out.html)


@bp.get("/media/<key>", endpoint="media")
def media_file(key: str):
    limit("view_ip", request.remote_addr or "")
    image = media.get_image(db.session, key)
    if image is None:
        abort(404)
    return image.data, 200, {"Content-Type": image.content_type,
                             "Cache-Control": "public, max-age=31536000, immutable",
                             "X-Content-Type-Options": "nosniff"}
