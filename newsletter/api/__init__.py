"""The JSON API under /api/v1. For now it holds the public signup endpoint that sites call
with fetch (CORS); the API-key endpoints for integrators come later."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
