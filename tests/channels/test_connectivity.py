""""Test connection" really connects to the configured address and names what failed: a
working server, a closed port, an unknown name, silence, a wrong password, TLS that the
server does not speak; SMPP bind and unbind; an HTTP gateway's answer."""

import http.server
import threading

import pytest

from newsletter.channels import connectivity
from newsletter.channels.smtp import SMTPSettings
from tests.channels.servers import (
    PASSWORD,
    USER,
    allowed,
    closed_port,
    login_smtp_server,
    silent_server,
)
from tests.smtp_server import free_port


def smtp(port, security="plain", username=None, password=None, host="127.0.0.1"):
    return connectivity.test_smtp(SMTPSettings(host, port, security, username, password), 2.0)


def test_a_working_server_says_so(smtp_server):
    result = smtp(smtp_server.port)
    assert result.ok and result.kind == "ok"
    assert result.message == f"Connected to 127.0.0.1:{smtp_server.port} (without TLS)."
    assert smtp_server.handler.greetings == 1  # it really spoke EHLO
    assert smtp_server.messages == []  # and sent nothing


def test_a_closed_port_is_refused():
    port = closed_port()
    result = smtp(port)
    assert (result.ok, result.kind) == (False, "refused")
    assert f"nothing accepts connections at 127.0.0.1:{port}" in result.message


def test_an_unknown_name_is_a_dns_failure():
    with allowed("no-such-host.invalid", 25):
        result = smtp(25, host="no-such-host.invalid")
    assert (result.ok, result.kind) == (False, "dns")
    assert "no-such-host.invalid:25 could not be resolved" in result.message


def test_a_server_that_never_greets_times_out():
    with silent_server() as port:
        result = connectivity.test_smtp(SMTPSettings("127.0.0.1", port, "plain"), 0.5)
    assert (result.ok, result.kind) == (False, "timeout")
    assert "did not answer in time" in result.message


def test_login_right_and_wrong():
    with login_smtp_server() as port:
        assert smtp(port, username=USER, password=PASSWORD).ok
        wrong = smtp(port, username=USER, password="not-it")
        assert (wrong.ok, wrong.kind) == (False, "auth")
        assert wrong.message.startswith(f"Login refused by 127.0.0.1:{port}: 535")


def test_tls_the_server_does_not_offer(smtp_server):
    starttls = smtp(smtp_server.port, security="starttls")
    assert (starttls.ok, starttls.kind) == (False, "tls")
    assert "does not offer STARTTLS" in starttls.message
    implicit = smtp(smtp_server.port, security="tls")  # a TLS handshake with plain SMTP
    assert (implicit.ok, implicit.kind) == (False, "tls")


def test_smpp_bind_unbind_and_a_wrong_password(smpp_server):
    result = connectivity.test_smpp(smpp_server.host, smpp_server.port, "newsletter",
                                    "secret", "", 2.0)
    assert result.ok, result.message
    assert smpp_server.binds == [("newsletter", "secret")]
    wrong = connectivity.test_smpp(smpp_server.host, smpp_server.port, "newsletter", "nope",
                                   "", 2.0)
    assert (wrong.ok, wrong.kind) == (False, "auth")
    assert "Bind refused" in wrong.message
    refused = connectivity.test_smpp("127.0.0.1", free_port(), "newsletter", "secret", "", 2.0)
    assert (refused.ok, refused.kind) == (False, "refused")


@pytest.fixture
def http_gateway():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):  # noqa: N802
            self.send_response(400)  # Kannel without parameters
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_http_gateway_reachable_or_refused(http_gateway):
    result = connectivity.test_http("http", "127.0.0.1", http_gateway, "/cgi-bin/sendsms", 2.0)
    assert result.ok and "status 400" in result.message
    refused = connectivity.test_http("http", "127.0.0.1", free_port(), "/", 2.0)
    assert (refused.ok, refused.kind) == (False, "refused")
