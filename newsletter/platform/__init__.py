"""Platform services every feature uses: signed tokens, rate limits in Redis, languages
(Flask-Babel), admin accounts, API keys and idempotency keys, the health checks of the
configured servers, the audit log (audit_entry) and the owner's plan limits (plan_limit).

May import: channels and the base (models, queue, config, errors, extensions)."""
