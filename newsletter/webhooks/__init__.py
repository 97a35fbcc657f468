"""Outgoing webhooks: owners' endpoints and the events they subscribe to (``endpoints``),
the outbox that writes a delivery per event and endpoint in the transaction of the change
(``outbox``), the signature (``signing``), the attempts through the SSRF-safe fetcher with
pausing of an endpoint that keeps failing (``delivery``), and the mail telling owners about
a pause (``notice``). The RQ job is ``newsletter.jobs.deliver_webhook``."""
