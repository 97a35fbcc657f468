"""Click redirects (/c/<message token>/<link number>) and the optional open pixel
(/o/<message token>.gif). The redirect goes out at once; the event goes to Redis and a job
records it. These GETs are the one documented exception to "GET changes nothing": they push
an event (never write the database). A HEAD pushes none: that is a link checker, not a
person."""

import base64

from flask import abort, current_app, redirect, request

from newsletter import queue
from newsletter.extensions import db
from newsletter.platform.ratelimit import limit
from newsletter.platform.tokens import InvalidToken
from newsletter.tracking import clicks

from . import bp

#: link numbers are ``link`` row ids (a 32-bit integer column); a larger one is no link
MAX_LINK_NUMBER = 2**31 - 1
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@bp.get(f"/c/<token>/<int(max={MAX_LINK_NUMBER}):link_id>")
def click(token: str, link_id: int):
    limit("click_ip", request.remote_addr or "")
    cache = current_app.extensions.setdefault("link_targets", {})
    try:
        target, delivery_id = clicks.resolve_click(db.session, token, link_id, cache)
    except InvalidToken:
        abort(404)
    if request.method != "HEAD":
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
    if request.method != "HEAD":
        clicks.push_event(queue.get_redis(), "o", 0, delivery_id)
    return PIXEL, 200, {"Content-Type": "image/gif", "Cache-Control": "no-store"}
