"""Domain error base class and the error pages people see."""

from flask import render_template


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is for the user."""


PAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your account's role does not allow this action."),
    404: ("Not found", "There is nothing at this address. Check the link or go back."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    429: ("Too many requests", "Please wait a moment before trying again."),
    500: ("Something went wrong", "The error was logged. Try again in a moment."),
}


def register(app) -> None:
    for code, (title, text) in PAGES.items():
        app.register_error_handler(code, _handler(code, title, text))


def _handler(code, title, text):
    def handle(error):
        detail = getattr(error, "description", None) if code in (400, 429) else None
        return render_template("error.html", code=code, title=title, text=detail or text), code

    return handle
