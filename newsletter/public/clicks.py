"""Click redirects (/c/<token>) and the optional open pixel (/o/<token>.gif). The redirect
goes out at once; the event goes to Redis and a job records it."""

import base64

from flask import abort, current_app, redirect, request

from newsletter import queue
from newsletter.extensions import db
from newsletter.platform.ratelimit import limit
from newsletter.platform.tokens import InvalidToken
from newsletter.tracking import clicks

from . import bp

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@bp.get("/c/<token>")
def click(token: str):
    limit("click_ip", request.remote_addr or "")
    cache = current_app.extensions.setdefault("link_targets", {})
    try:
        target, link_id, delivery_id = clicks.resolve_click(db.session, token, cache)
    except InvalidToken:
        abort(404)
    clicks.push_event(queue.get_redis(), "c", link_id, delivery_id)
    response = redirect(target, 302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/o/<token>.gif")
def open_pixel(token: str):
    limit("click_ip", request.remote_addr or "")
    try:
        delivery_id = clicks.verify_open(token)
    except InvalidToken:
        abort(404)
    clicks.push_event(queue.get_redis(), "o", 0, delivery_id)
    return PIXEL, 200, {"Content-Type": "image/gif", "Cache-Control": "no-store"}
