"""The API blueprints with every view module loaded, so all their routes are on ``bp``
(the JSON signup) and ``v1`` (API-key endpoints); ``create_app`` registers both and binds
``spec`` (the OpenAPI document) to the app."""

from . import (  # noqa: F401  (imported for their routes)
    bp,
    campaigns_api,
    contacts_api,
    lists_api,
    resources_api,
    segments_api,
    subscribe,
    transactional_api,
    webhooks_api,
)
from .v1 import json_errors, spec, v1  # noqa: F401
