"""One check's outcome: ok, a notice (the editor is told, nothing to confirm), a warning
(sending asks for confirmation) or blocking (the start is refused, saying why)."""

from dataclasses import dataclass

from newsletter.texts import shown

OK, NOTICE, WARNING, BLOCKING = "ok", "notice", "warning", "blocking"


@dataclass(frozen=True)
class Item:
    key: str  # unsubscribe | consent | first_send | fresh_import | brand | dkim | spf | ...
    level: str
    message: str  # as stored: the domain checks' are English (newsletter.texts)

    @property
    def text(self) -> str:
        """The message in the reader's language."""
        return shown(self.message)
