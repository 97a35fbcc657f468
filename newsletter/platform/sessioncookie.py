"""The session cookie is written back only by the page the person is looking at.

A page runs requests beside itself: the composer's live preview (a form posted into a
frame), the campaign status poll (fetch), images and style sheets. Flask re-sends the
permanent session's cookie with every response, so such a request, sent with the cookie
from before a form post and answered after it, put that old cookie back: the flashed
message of the post ("Campaign saved.") was gone before the next page could show it.

Here a background request (``Sec-Fetch-Dest`` other than ``document``, or a view marked
with ``background``) sends a cookie only when it changed the session itself."""

from flask import current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface


def background(view):
    """Mark a view that pages call beside themselves (for browsers without Fetch
    Metadata headers)."""
    view.background_request = True
    return view


def in_background() -> bool:
    if not has_request_context():
        return False
    if request.headers.get("Sec-Fetch-Dest", "document") != "document":
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "background_request", False))


class SessionInterface(SecureCookieSessionInterface):
    def should_set_cookie(self, app, session) -> bool:
        if not session.modified and in_background():
            return False
        return super().should_set_cookie(app, session)
