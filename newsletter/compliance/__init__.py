"""Compliance (seed 004): the pre-send checklist (unsubscribe link, consent basis of every
recipient, first sends and fresh imports, later the sending domain), the checked start
of a campaign that refuses on a blocking failure and asks before a warning, and the
consent report.

Owns no tables of its own yet. May import sending, content, campaigns, audience,
platform, models and the layers below them; imported by the blueprints and jobs only."""
