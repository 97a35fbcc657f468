"""Domain error base class and the error pages people see."""

import logging

from flask import render_template
from sqlalchemy.exc import DataError

from .extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is for the user."""


PAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your account's role does not allow this action."),
    404: ("Not found", "There is nothing at this address. Check the link or go back."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "The request is larger than this server accepts. Send a smaller file."),
    429: ("Too many requests", "Please wait a moment before trying again."),
    500: ("Something went wrong", "The error was logged. Try again in a moment."),
}


def register(app, wrap=lambda code, handler: handler) -> None:
    """The error pages; ``wrap(code, handler)`` lets a blueprint answer in its own way
    under its own URLs (the JSON API), also for errors raised before routing."""
    for code, (title, text) in PAGES.items():
        app.register_error_handler(code, wrap(code, _handler(code, title, text)))
    app.register_error_handler(OverflowError, wrap(400, _out_of_range))
    app.register_error_handler(DataError, wrap(400, _out_of_range))


def _out_of_range(error):
    """A number (or text) from the request that the database cannot hold, wherever it came
    from (query, form, JSON): the request was bad, not the server."""
    db.session.rollback()
    log.info("value out of range: %s", error)
    return render_template("error.html", code=400, title="Bad request",
                           text="A value in the request is out of range."), 400


def _handler(code, title, text):
    def handle(error):
        detail = getattr(error, "description", None) if code in (400, 429) else None
        return render_template("error.html", code=code, title=title, text=detail or text), code

    return handle
