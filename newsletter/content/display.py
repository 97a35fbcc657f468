"""Rendered messages in a browser, and the headers of every other page.

``message_response`` is the one way a rendered message (or the error shown in its place)
reaches a browser: admin previews (saved, live, language variants, starter templates), the
dev outbox, "view in browser" and the public archive. Its HTML is already sanitized as it
was rendered (markup.py, sandbox.py); the policy here keeps any script from running
regardless: a CSP sandbox (an opaque origin: no cookies, no same-origin requests, no forms,
no scripts), ``script-src 'none'``, and framing only by our own pages (the admin previews
frame it).

``PAGE_HEADERS`` go on every other response (``app.py`` sets them when a view has not):
scripts and styles from our own origin only (the admin uses ``static/*.js``, no inline
script or style), no framing by other sites."""

import re

from flask import Response
from markupsafe import Markup, escape

MESSAGE_CSP = ("sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; "
               "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'self'; img-src * data:; style-src 'unsafe-inline'")
#: the dev outbox's frame: the same, but same-origin (still without scripts: the sandbox
#: has no allow-scripts and script-src is 'none'), so the admin page can size the frame to
#: the message's height instead of cutting its footer off
MESSAGE_CSP_MEASURABLE = MESSAGE_CSP.replace("sandbox ", "sandbox allow-same-origin ", 1)
MESSAGE_HEADERS = {
    "Content-Security-Policy": MESSAGE_CSP,
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # message addresses carry tokens
}
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
            "img-src 'self' data: https: http:; frame-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


class MessageResponse(Response):
    """A rendered message, served with ``MESSAGE_HEADERS``."""

    default_mimetype = "text/html"

    def __init__(self, html: str, status: int = 200, measurable: bool = False):
        headers = dict(MESSAGE_HEADERS)
        if measurable:
            headers["Content-Security-Policy"] = MESSAGE_CSP_MEASURABLE
        super().__init__(html, status=status, headers=headers)


def message_response(html: str, status: int = 200, measurable: bool = False
                     ) -> MessageResponse:
    """``measurable``: the framing admin page may read the message's height (the outbox)."""
    return MessageResponse(html, status, measurable)


def is_message_response(response: Response) -> bool:
    return response.headers.get("Content-Security-Policy") in (
        MESSAGE_CSP, MESSAGE_CSP_MEASURABLE)


def page_headers(response: Response) -> Response:
    """``PAGE_HEADERS`` where the view set none of its own (message responses keep theirs)."""
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


_URL = re.compile(r"https?://[^\s<>\"']+")
_ANCHOR = re.compile(r"<a(?=\s)", re.I)


def text_with_links(text: str) -> Markup:
    """A plain-text part for an admin page: escaped, its web addresses clickable (opening
    in a new tab, without a referrer: message addresses carry tokens)."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)")
        parts.append(escape(text[last:match.start()]))
        parts.append(Markup('<a href="{0}" rel="noopener noreferrer" target="_blank">{0}</a>')
                     .format(url))
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def links_open_outside(html: str) -> str:
    """A message for a frame: its links open a new tab instead of replacing the frame
    (most sites refuse to be framed, and the frame's sandbox would break them)."""
    return _ANCHOR.sub('<a target="_blank" rel="noopener noreferrer"', html)
