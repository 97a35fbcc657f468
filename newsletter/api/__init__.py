"""The JSON API under /api/v1: the public signup endpoint that sites call with fetch (CORS,
``bp``) and the API-key endpoints for integrators (``v1``, described by OpenAPI 3.1 at
/api/v1/openapi.json). Views are thin: the domain packages do the work."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
