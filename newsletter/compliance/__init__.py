"""Compliance (seed 004): the pre-send checklist (unsubscribe link, consent basis of every
recipient, first sends and fresh imports, the sending domain's DNS and website, the plan's
monthly messages), the checked start that refuses on a blocking item and asks before a
warning, the consent report, the spam score, and the content review that holds a campaign
for a reviewer. ``safefetch`` is the one way to fetch a URL a user gave (the website
check here, the feeds of ``newsletter.automation``).

Owns the tables sender_check, review_category and campaign_review
(``newsletter.models.compliance``). May import sending, content, campaigns, audience,
platform, channels, models and the layers below them; imported by the blueprints and
jobs only."""
