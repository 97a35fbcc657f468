"""A real SMTP server for tests (aiosmtpd on a loopback port) that records what it
receives and can be told to refuse recipients."""

import asyncio
import contextlib
import socket
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class RecordingHandler:
    messages: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)  # address -> "550 ..."
    data_replies: list[str] = field(default_factory=list)  # next DATA answers, e.g. "421 ..."
    drop_during_data: int = 0  # hang up (no reply) after receiving this many messages' data
    delay: float = 0.0  # seconds before answering DATA (to catch a worker mid-campaign)
    rcpt_log: list[tuple[str, float]] = field(default_factory=list)  # (address, time.time())
    greetings: int = 0  # EHLO commands seen: about one per connection

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_log.append((address.lower(), time.time()))
        reply = self.rcpt_replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.drop_during_data:
            self.drop_during_data -= 1
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content or envelope.content))
            server.transport.abort()  # the message arrived; the 250 is lost
            return "250 never seen"
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPTestServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.host = "127.0.0.1"
        self.port = free_port()
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def reset(self) -> None:
        self.handler.messages.clear()
        self.handler.rcpt_replies.clear()
        self.handler.greetings = 0
        self.handler.data_replies.clear()
        self.handler.drop_during_data = 0
        self.handler.rcpt_log.clear()
        self.handler.delay = 0.0

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def go_down(self):
        """Stop listening (connections are refused) until ``come_up``: a mail server outage."""
        self.controller.stop()

    def come_up(self):
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)
        self.controller.start()


class Unresponsive:
    """A server that accepts connections and closes them at once (no greeting), counting
    them: how many times the sender tried to connect."""

    def __init__(self):
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.sock.close()
