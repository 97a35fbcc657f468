"""Contacts in and out in bulk: uploads stored in chunks, CSV/XML reading with encoding
and delimiter detection, the batched import job and its set-based staging, and CSV export.

May import: audience, platform and the base."""
