"""POST /api/v1/subscribe/<list-key>: JSON signup for sites that post with fetch.

CORS: no cookies are used or accepted, so the endpoint is CSRF-exempt; it answers any
origin unless SIGNUP_ALLOWED_ORIGINS (a list) names the sites allowed to use it. Bots are
kept out by the honeypot field and the per-IP and per-address rate limits."""

from flask import current_app, jsonify, request
from flask_babel import get_locale

from newsletter import jobs
from newsletter.audience import subscriptions
from newsletter.audience.subscriptions import Evidence, ListNotFound, SignupError, public_list
from newsletter.extensions import csrf, db
from newsletter.platform.i18n import use_language
from newsletter.platform.ratelimit import RateLimited

from . import bp


def _origin_allowed(origin: str | None) -> bool:
    allowed = current_app.config.get("SIGNUP_ALLOWED_ORIGINS")
    return not allowed or origin in allowed


@bp.after_request  # also on error pages (429), so the calling page can read them
def _cors(response):
    origin = request.headers.get("Origin")
    if origin and _origin_allowed(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.errorhandler(RateLimited)
def _too_many(error: RateLimited):
    response = _answer(429, ok=False, error=error.advice())
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _answer(code: int, **body):
    response = jsonify(**body)
    response.status_code = code
    return response


@bp.route("/subscribe/<key>", methods=["POST", "OPTIONS"])
@csrf.exempt  # JSON + CORS without cookies: nothing for a forged request to ride on
def subscribe(key: str):
    if request.method == "OPTIONS":
        return current_app.response_class(status=204)
    if not _origin_allowed(request.headers.get("Origin")):
        return _answer(403, ok=False, error="This site may not use the signup endpoint.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _answer(400, ok=False, error="Send a JSON object, e.g. {\"email\": \"...\"}.")
    try:
        mlist = public_list(db.session, key)
    except ListNotFound as exc:
        return _answer(404, ok=False, error=str(exc))
    data = {k: v if isinstance(v, str) else "" for k, v in data.items()}
    use_language(data.get("language"))  # the calling page may say which language it shows
    evidence = Evidence(ip=request.remote_addr, user_agent=request.user_agent.string,
                        source=f"api {request.headers.get('Origin', '')}".strip()[:200])
    try:
        result = subscriptions.signup_from_form(db.session, mlist, data,
                                                language=str(get_locale()), evidence=evidence)
    except SignupError as exc:
        db.session.rollback()
        return _answer(422, ok=False, errors=exc.errors)
    db.session.commit()
    jobs.confirm_signup(result)
    status, _, text = subscriptions.signup_answer(mlist)  # the same for every address
    return _answer(200, ok=True, status=status, message=text)
