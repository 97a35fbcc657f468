"""API v1 for integrators: the blueprint, the spectree instance that validates requests
and writes /api/v1/openapi.json, API-key authentication with scopes, one JSON error shape,
idempotency keys and cursors. The views (``lists_api``, ``contacts_api``) stay thin."""

import base64
import binascii
from functools import wraps

from flask import Blueprint, g, jsonify, request
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from newsletter.audience.integration import NotFound
from newsletter.errors import DomainError
from newsletter.extensions import csrf, db
from newsletter.imports.upsert import BulkError
from newsletter.platform import apikeys, idempotency
from newsletter.platform.ratelimit import RateLimited

from .schemas import Error

v1 = Blueprint("v1", __name__, url_prefix="/api/v1")
csrf.exempt(v1)  # bearer keys only; no cookie is read, so there is nothing to forge


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify(error={"code": code, "message": message, "fields": fields or {}})
    response.status_code = status
    return response


def _validation_failed(req, resp, error, instance, model_adapter):
    """spectree's hook: a request that fails validation gets the one error shape."""
    if error is None:
        return
    fields: dict[str, list[str]] = {}
    for item in error.errors(include_context=False, include_url=False):
        fields.setdefault(".".join(str(p) for p in item["loc"]) or "body", []).append(
            item["msg"])
    raise ApiError(422, "invalid_request", "Some fields are not valid.", fields)


class _Routes(FlaskPlugin):
    """spectree's Flask plugin, reading the routes under /api/v1/ (its own would skip the
    prefix it serves the document under); the document is served by ``openapi`` below."""

    def register_route(self, app):
        pass

    def find_routes(self):
        for rule in self.get_current_app().url_map.iter_rules():
            if rule.rule.startswith(v1.url_prefix + "/"):
                yield rule


spec = SpecTree(
    "flask", backend=_Routes, title="Newsletter API", version="1.0.0", mode="strict",
    naming_strategy=lambda model: model.__name__,
    page_templates={}, before=_validation_failed, validation_error_model=Error,
    security_schemes=[SecurityScheme(name="apiKey", data=SecuritySchemeData(
        type="http", scheme="bearer"))],
    security={"apiKey": []},
    description="Lists, contacts, subscriptions and consent for CMS and CRM connectors. "
                "Send `Authorization: Bearer <key>`; keys are made by owners in the admin. "
                "Webhooks: each event is a JSON POST `{id, event, created_at, data}` with "
                "the headers `Newsletter-Event`, `Newsletter-Delivery` (the same on every "
                "retry) and `Newsletter-Signature: t=<unix time>,v1=<hex>`, the hex being "
                "HMAC-SHA256 with the endpoint's secret over `<unix time>.<raw body>`; "
                "refuse a time more than 5 minutes off. Answer 2xx; anything else is "
                "retried with growing pauses, and an endpoint that keeps failing is paused.")

COMMON_ERRORS = {f"HTTP_{code}": Error for code in (400, 401, 403, 404, 409, 429)}


def responses(**ok) -> Response:
    return Response(**COMMON_ERRORS, **ok)


def endpoint(resource: str, access: str, idempotent: bool = False):
    """Authenticate the key for ``resource:access``, replay or keep an idempotent answer,
    commit after success and roll back after an error. Goes above ``spec.validate``."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = request.headers.get("Authorization", "")
            token = token[7:].strip() if token.lower().startswith("bearer ") else None
            g.api_key = apikeys.authenticate(db.session, token, f"{resource}:{access}",
                                             writes=access == "write")
            if not (idempotent and (key := request.headers.get("Idempotency-Key"))):
                response = view(*args, **kwargs)
                db.session.commit()
                return response
            return _idempotent(view, key[:200], args, kwargs)
        return wrapped
    return decorate


def _idempotent(view, key: str, args, kwargs):
    print_ = idempotency.fingerprint(request.method, request.path, request.get_data())
    kept = idempotency.stored(db.session, g.api_key.id, key, print_)
    if kept is not None:
        db.session.commit()
        response = jsonify(kept.body)
        response.status_code = kept.status_code
        response.headers["Idempotent-Replayed"] = "true"
        return response
    response = view(*args, **kwargs)
    idempotency.keep(db.session, g.api_key.id, key, print_, response.status_code,
                     response.get_json())
    try:
        db.session.commit()
    except IntegrityError:  # the same key at the same moment: the other request won
        db.session.rollback()
        raise ApiError(409, "idempotency_conflict",
                       "A request with this Idempotency-Key is being handled; retry.") from None
    return response


@v1.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API, generated from the validating models."""
    return jsonify(spec.spec)


def actor() -> str:
    return f"api:{g.api_key.name}"[:100]


def encode_cursor(value: int | None) -> str | None:
    return base64.urlsafe_b64encode(f"id:{value}".encode()).decode() if value else None


def page_by_id(model, limit: int, cursor: str | None) -> tuple[list, str | None]:
    """One page of ``model`` rows in id order after the cursor, and the next cursor."""
    after = decode_cursor(cursor) or 0
    rows = list(db.session.scalars(select(model).where(model.id > after)
                                   .order_by(model.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].id) if more else None


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        number = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        number, kind = 0, ""
    if kind != "id" or not 0 < number < 2**31:
        raise ApiError(422, "invalid_request", "The cursor is not valid.",
                       {"cursor": ["Use next_cursor from the previous page."]})
    return number


def json_errors(code: int, page):
    """The app's error handler for ``code``, answering in the API's error shape under
    /api/v1/ (also a 404 from routing, which no blueprint handler sees)."""
    def handle(error):
        if not request.path.startswith(v1.url_prefix + "/"):
            return page(error)
        db.session.rollback()
        description = getattr(error, "description", None)
        message = description if code != 500 and isinstance(description, str) else \
            "The request could not be handled."
        if code == 400 and not isinstance(error, HTTPException):
            message = "A value in the request is out of range."
        return error_response(code, HTTP_STATUS_CODES.get(code, "error").lower()
                              .replace(" ", "_"), message)
    return handle


@v1.errorhandler(ApiError)
def _api_error(error: ApiError):
    db.session.rollback()
    return error_response(error.status, error.code, error.message, error.fields)


@v1.errorhandler(apikeys.Unauthorized)
def _unauthorized(error):
    response = error_response(401, "unauthorized", str(error))
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


@v1.errorhandler(apikeys.Forbidden)
def _forbidden(error):
    return error_response(403, "forbidden", str(error))


@v1.errorhandler(RateLimited)
def _rate_limited(error: RateLimited):
    db.session.rollback()
    response = error_response(429, "rate_limited", str(error))
    response.headers["Retry-After"] = str(error.retry_after)
    return response


@v1.errorhandler(idempotency.KeyReused)
def _key_reused(error):
    db.session.rollback()
    return error_response(409, "idempotency_key_reused", str(error))


@v1.errorhandler(DomainError)
def _domain_error(error: DomainError):
    db.session.rollback()
    if isinstance(error, NotFound) and not error.field:
        return error_response(404, "not_found", str(error))
    if isinstance(error, BulkError):
        return error_response(422, "invalid_request", str(error),
                              {k: [v] for k, v in error.errors.items()})
    field = getattr(error, "field", None)
    fields = {field: [str(error)]} if isinstance(field, str) and field else {}
    return error_response(422, "refused", str(error), fields)
