"""Local servers for the channel tests: a second recording SMTP server, one that asks for
a login (aiosmtpd with an authenticator), one that never greets, and a closed port."""

import contextlib
import socket

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import _allowed_smtp
from tests.smtp_server import RecordingHandler, SMTPTestServer, free_port

USER, PASSWORD = "relay-user", "relay-pass-9f3"


@contextlib.contextmanager
def allowed(host: str, port: int):
    """Let the test's smtplib connect there (tests/conftest.py refuses any other address)."""
    _allowed_smtp.add((host, port))
    try:
        yield
    finally:
        _allowed_smtp.discard((host, port))


@contextlib.contextmanager
def second_smtp_server():
    server = SMTPTestServer().start()
    with allowed(server.host, server.port):
        try:
            yield server
        finally:
            with contextlib.suppress(Exception):
                server.stop()


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and \
        (auth_data.login.decode(), auth_data.password.decode()) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)


@contextlib.contextmanager
def login_smtp_server():
    """SMTP that requires AUTH (offered without TLS, as on a trusted local link)."""
    port = free_port()
    controller = Controller(RecordingHandler(), hostname="127.0.0.1", port=port,
                            authenticator=_authenticator, auth_required=True,
                            auth_require_tls=False)
    controller.start()
    with allowed("127.0.0.1", port):
        try:
            yield port
        finally:
            controller.stop()


@contextlib.contextmanager
def silent_server():
    """Accepts connections (the kernel's backlog) and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port = sock.getsockname()[1]
    with allowed("127.0.0.1", port):
        try:
            yield port
        finally:
            sock.close()


def closed_port() -> int:
    port = free_port()  # bound and released: nothing listens there
    _allowed_smtp.add(("127.0.0.1", port))
    return port
