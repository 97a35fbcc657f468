"""A campaign's life: drafts, schedule, start, pause, resume, cancel, resend and status
(``lifecycle``), and who receives it: recipients resolved set-based in SQL, extra
recipients, the recipients check (``recipients``).

May import: blocklist, imports, audience, platform and the base."""
