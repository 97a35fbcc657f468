"""The sending engine: atomic claims of deliveries, the run that sends them over a reused
connection and records every outcome (journal in Redis, flushed to SQL), shared limits
(throttle), the bytes on the wire (messages, DKIM), sender identities and test sends.

May import: content, bounces and everything below them. No Flask request state."""
