"""Automation: campaigns that send themselves. ``recurring`` owns recurring series (a
template draft, a cron expression read in a time zone, pause and edit) and their runs:
each due time copies the template into a normal campaign, scheduled for that moment, or
logs why nothing was sent (no content, no recipients). The RQ job that drives it
(``newsletter.jobs.run_recurring``) hands the copy to the scheduled start, so a run goes
through the same checklist, review and sending as any campaign."""
