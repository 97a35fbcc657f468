"""What every channel offers the sending engine: the ``Messenger`` protocol, the message it
sends, and the failures it reports (temporary, permanent, in doubt, back off). The engine
depends on this module only, never on a particular channel."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class DeliveryError(Exception):
    """A message was not accepted. ``permanent`` says whether retrying can help."""

    permanent = False

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class TemporaryFailure(DeliveryError):
    """4xx, a dropped connection, a timeout: retry later."""


class PermanentFailure(DeliveryError):
    """5xx: this recipient will not take the message."""

    permanent = True


class InDoubt(TemporaryFailure):
    """The connection broke after the message was handed over, before the server's answer:
    it may or may not have been accepted. Policy: retry later (at-least-once); the stable
    Message-ID lets receivers drop the rare duplicate."""


class ConnectionBackoff(TemporaryFailure):
    """The server asked us to go away (421): back off the whole connection."""


class ServerUnavailable(TemporaryFailure):
    """No session with the server could be opened (refused, unreachable, timed out, no
    greeting, TLS or login failed): nothing was handed over, and the recipient has nothing
    to do with it. The sender waits for the server (``channels.circuit``) instead of
    spending the recipient's attempts."""


@dataclass(frozen=True)
class OutgoingMessage:
    sender: str  # envelope sender (VERP return path for e-mail)
    recipient: str  # e-mail address or E.164 phone number
    data: bytes  # the complete message on the wire
    reference: int | None = None  # the delivery's id (SMS gateways ask reports for it)


class Accepted(str):
    """A server's acceptance reply that also names the id the server gave the message
    (``reference``): an SMSC's message id, which its delivery receipts quote."""

    reference: str | None

    def __new__(cls, reply: str, reference: str | None = None):
        accepted = super().__new__(cls, reply)
        accepted.reference = reference
        return accepted


class Messenger(Protocol):
    """Sends prepared messages over one channel, reusing its connection between calls.
    Raises TemporaryFailure or PermanentFailure for a refused message."""

    def begin(self, sender: str, recipient: str) -> None:
        """A hint that the next message goes from ``sender`` to ``recipient``: a messenger
        may start its envelope while the message is being built (or do nothing)."""

    def send(self, message: OutgoingMessage, then: tuple[str, str] | None = None,
             meanwhile: Callable[[], None] | None = None) -> str:
        """The server's acceptance reply. ``then`` announces the next (sender, recipient),
        like ``begin``, as early as the channel allows; ``meanwhile`` (which must not
        raise) runs while the server works on the message, if the channel waits at all."""

    def close(self) -> None: ...
