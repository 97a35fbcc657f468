"""The public blueprint: pages anyone may open, no login."""

from flask import Blueprint, jsonify, redirect, url_for

from .. import health

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    return redirect(url_for("admin.dashboard"))


@bp.get("/healthz")
def healthz():
    """For load balancers: 200 when the database and Redis answer, else 503."""
    problems = health.problems(include_smtp=False)
    return jsonify(ok=not problems, problems=problems), (503 if problems else 200)


from . import clicks, webview  # noqa: E402,F401  (composer: tracking, web view, archive)
