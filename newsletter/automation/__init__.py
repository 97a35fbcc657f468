"""Automation: campaigns that send themselves. ``recurring`` owns recurring series (a
template draft, a cron expression read in a time zone, pause and edit) and their runs:
each due time copies the template into a normal campaign, scheduled for that moment, or
logs why nothing was sent (no content, no recipients). The RQ job that drives it
(``newsletter.jobs.run_recurring``) hands the copy to the scheduled start, so a run goes
through the same checklist, review and sending as any campaign.
``sequences`` owns welcome and drip sequences (a list, a trigger, steps of a delay and a
message), ``enrolment`` who enters and leaves them, and ``drip`` the pass that queues the
steps that fell due as deliveries of one running campaign per step
(``newsletter.jobs.run_sequence``, enqueued by the reaper)."""
