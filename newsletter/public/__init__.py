"""The public blueprint: pages anyone may open, no login (signup, confirmation,
unsubscribe, the GDPR profile)."""

from flask import (
    Blueprint,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from newsletter.audience.subscriptions import Evidence
from newsletter.platform import health
from newsletter.platform.ratelimit import RateLimited
from newsletter.platform.tokens import InvalidToken

bp = Blueprint("public", __name__)


def evidence(source: str) -> Evidence:
    return Evidence(ip=request.remote_addr, user_agent=request.user_agent.string,
                    source=source)


def message_page(title: str, text: str, status: int = 200, **extra):
    return render_template("public/message.html", title=title, text=text, **extra), status


@bp.after_request
def personal_pages(response):
    """Pages with personal data or tokens: never cached, never framed by another site."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.errorhandler(RateLimited)
def too_many(error: RateLimited):
    response = make_response(message_page(gettext("Too many attempts"), error.advice(), 429))
    response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.errorhandler(InvalidToken)
def invalid_link(error: InvalidToken):
    text = gettext("This link has expired or was already used.") if error.expired \
        else gettext("This link is not valid. Copy the whole address from the message.")
    return message_page(gettext("Link not valid"), text, 400)


@bp.errorhandler(403)
def profile_session_ended(_error):
    return message_page(gettext("Please open your profile again"), gettext(
        "Your profile session has ended. Open the link from one of our messages, or ask for "
        "a new link."), 403, login_link=True)


@bp.errorhandler(404)
def not_found(_error):
    return message_page(gettext("Page not found"), gettext(
        "There is nothing at this address. Check the link or go back."), 404)


@bp.get("/")
def index():
    return redirect(url_for("admin.dashboard"))


@bp.get("/healthz")
def healthz():
    """For load balancers: 200 when the database and Redis answer, else 503."""
    problems = health.problems(include_smtp=False)
    return jsonify(ok=not problems, problems=problems), (503 if problems else 200)

