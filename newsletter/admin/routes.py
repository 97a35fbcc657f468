"""The admin blueprint with every view module loaded, so all its routes are on ``bp``
(``create_app`` registers it from here)."""

from . import (  # noqa: F401  (imported for their routes)
    apikeys,
    auth,
    blocklist,
    bp,
    campaigns,
    compliance,
    composer,
    contacts,
    imports,
    lists,
    outbox,
    plan,
    review_rules,
    senders,
    sms,
    stats,
    themes,
    transactional,
    users,
    webhooks,
)
