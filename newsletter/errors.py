"""Domain error base class and the error pages people see."""

import logging

import redis
from flask import make_response, render_template
from flask_babel import lazy_gettext
from sqlalchemy.exc import DataError
from werkzeug.exceptions import ServiceUnavailable

from .extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is for the user."""


#: code -> (title, text), translated when the page is drawn (the visitor's language:
#: ?lang=, then the browser's; see platform.i18n)
PAGES = {
    400: (lazy_gettext("Bad request"),
          lazy_gettext("The request could not be understood. Go back and try again.")),
    403: (lazy_gettext("Not allowed"),
          lazy_gettext("Your account's role does not allow this action.")),
    404: (lazy_gettext("Page not found"),
          lazy_gettext("There is nothing at this address. Check the link or go back.")),
    405: (lazy_gettext("Not allowed"),
          lazy_gettext("This address does not accept that kind of request.")),
    413: (lazy_gettext("Too large"),
          lazy_gettext("The request is larger than this server accepts. Send a smaller file.")),
    429: (lazy_gettext("Too many requests"),
          lazy_gettext("Please wait a moment before trying again.")),
    500: (lazy_gettext("Something went wrong"),
          lazy_gettext("The error was logged. Try again in a moment.")),
    503: (lazy_gettext("Temporarily unavailable"),
          lazy_gettext("A service this page needs is not answering right now. Try again "
                       "in a minute.")),
}

#: seconds a client is asked to wait when a service the request needs is down
RETRY_AFTER_SECONDS = 30


def register(app, wrap=lambda code, handler: handler) -> None:
    """The error pages; ``wrap(code, handler)`` lets a blueprint answer in its own way
    under its own URLs (the JSON API), also for errors raised before routing."""
    for code, (title, text) in PAGES.items():
        app.register_error_handler(code, wrap(code, _handler(code, title, text)))
    app.register_error_handler(OverflowError, wrap(400, _out_of_range))
    app.register_error_handler(DataError, wrap(400, _out_of_range))
    unavailable = _unavailable(wrap(503, _handler(503, *PAGES[503])))
    for error in (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        app.register_error_handler(error, unavailable)


def _out_of_range(error):
    """A number (or text) from the request that the database cannot hold, wherever it came
    from (query, form, JSON): the request was bad, not the server."""
    db.session.rollback()
    log.info("value out of range: %s", error)
    return _page(400, PAGES[400][0], lazy_gettext("A value in the request is out of range.")), 400


def _unavailable(handler):
    """Redis (rate limits, sessions' counters, queues) not answering: a 503 that asks the
    client to come back (Retry-After), not a 500 that looks like a bug. The request's
    transaction is rolled back, so nothing half-done stays."""
    def handle(error):
        db.session.rollback()
        log.warning("a request failed with Redis unreachable: %s", error)
        response = make_response(handler(ServiceUnavailable(str(PAGES[503][1]))))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    return handle


def _handler(code, title, text):
    def handle(error):
        detail = getattr(error, "description", None) if code in (400, 429) else None
        return _page(code, title, detail or text), code

    return handle


def _page(code: int, title, text) -> str:
    """templates/errors/page.html: the admin's layout under /admin, else the public one
    (no admin header for a subscriber who followed a broken link)."""
    return render_template("errors/page.html", code=code, title=str(title), text=str(text))
