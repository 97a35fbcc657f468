"""Platform services every feature uses: signed tokens, rate limits in Redis, languages
(Flask-Babel), admin accounts, API keys and idempotency keys, and the health checks of the
configured servers.

May import: channels and the base (models, queue, config, errors, extensions)."""
