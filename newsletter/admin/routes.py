"""The admin blueprint with every view module loaded, so all its routes are on ``bp``
(``create_app`` registers it from here)."""

from . import (  # noqa: F401  (imported for their routes)
    apikeys,
    auth,
    blocklist,
    bp,
    campaign_list,
    campaigns,
    compliance,
    composer,
    contacts,
    imports,
    labels,
    lists,
    outbox,
    plan,
    recurring,
    review_rules,
    segments,
    senders,
    sms,
    stats,
    themes,
    transactional,
    users,
    webhooks,
)
