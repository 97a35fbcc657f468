"""Channels the sending engine talks to, behind the ``Messenger`` protocol
(``channels.base``): SMTP (``channels.smtp``) and the development mail catcher whose
Maildir the admin outbox shows (``channels.mailcatcher``). SMS gateways land here.

May import: the base only (config, errors). No Flask request state."""
