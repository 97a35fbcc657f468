"""The public blueprint with every view module loaded, so all its routes are on ``bp``
(``create_app`` registers it from here)."""

from . import (  # noqa: F401  (imported for their routes)
    bp,
    clicks,
    looks,
    profile,
    signup,
    sms_gateway,
    unsubscribe,
    webview,
)
