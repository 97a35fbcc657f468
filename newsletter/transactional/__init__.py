"""Transactional mail: one message from a template (a campaign's subject, body, theme and
sender, merged in the sandbox) to one recipient, asked for over the API (``requests``),
sent by a worker through the sending engine's parts (the sender's shared rate limit, the
message building and DKIM signature, the SMTP messenger and its failure classes) and
logged per message for the admin (``sending``, ``log``)."""
