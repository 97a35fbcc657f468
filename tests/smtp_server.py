"""A real SMTP server for tests (aiosmtpd on a loopback port) that records what it
receives and can be told to refuse recipients."""

import asyncio
import socket
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

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
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
        self.handler.data_replies.clear()
        self.handler.drop_during_data = 0
        self.handler.delay = 0.0

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()
