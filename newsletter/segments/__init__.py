"""Saved dynamic segments: an audience described by conditions (contact fields,
attributes, organization, list membership, dates, consent basis, engagement) in AND/OR
groups, compiled to one set-based SQL condition over contacts (``conditions``), and the
saved segments with their live count (``segments``). Campaigns use a segment to narrow
their lists' recipients (``newsletter.campaigns.recipients``); nothing here knows about
sending."""
