"""Markers for texts defined in a table or a constant: `make translations` extracts them
(keywords N_ and N_plural), and gettext translates them where a page or a mail shows them,
so workers and stored data keep the English original."""


def N_(msgid: str) -> str:
    """Marks ``msgid`` for extraction; it is translated where it is shown."""
    return msgid


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """N_ for a message with plural forms (extracted with both)."""
    return singular, plural
