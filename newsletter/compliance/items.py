"""One check's outcome: ok, a notice (the editor is told, nothing to confirm), a warning
(sending asks for confirmation) or blocking (the start is refused, saying why)."""

from dataclasses import dataclass

OK, NOTICE, WARNING, BLOCKING = "ok", "notice", "warning", "blocking"


@dataclass(frozen=True)
class Item:
    key: str  # unsubscribe | consent | first_send | fresh_import | brand | dkim | spf | ...
    level: str
    message: str
