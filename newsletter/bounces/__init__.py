"""Mail that comes back: DSNs to the VERP address (``dsn``), the SMTP/LMTP listener the
MTA forwards them and List-Unsubscribe mails to (``inbound``), and mailbox polling over
IMAP or POP3 (``mailbox``).

May import: audience, platform, channels and the base."""
