"""Self-hosted newsletter platform: e-mail (and SMS) campaigns to people who asked for them,
with subscriber self-service that satisfies GDPR.

One package per capability. Packages form layers; a package imports only from the layers
below it (``tests/test_layers.py`` keeps it so, through the contracts in pyproject.toml):

    cli                                   operator commands, demo data
    app                                   create_app: configuration, extensions, blueprints
    admin | public | api                  blueprints: thin views, never each other
    jobs | worker                         RQ jobs (thin, take ids) and the worker
    automation                            recurring and feed-driven series
    compliance                            the pre-send checklist, safe fetching of user URLs
    sending                               the engine, message building, limits, DKIM
    content | bounces                     composing and rendering | DSNs, inbound, mailbox
    tracking                              click and open tracking, statistics
    campaigns                             campaign lifecycle and recipient resolution
    segments                              saved segments compiled to set-based SQL
    blocklist | imports                   block list (seed 001) | contact import and export
    audience                              lists, contacts, subscriptions, GDPR profiles
    platform                              tokens, rate limits, languages, accounts, health
    channels                              the Messenger protocol, SMTP, SMS gateways, dev outbox
    sms                                   SMS parts (GSM 03.38), E.164 numbers, quota ledger
    models | queue | errors | texts       models, Redis/RQ wiring, error pages, stored texts
    config | extensions                   the base every layer may use
"""
