"""The one way to fetch a URL a user gave (a sender's website, a campaign's feed): http(s)
only, the host resolved with the configured resolver and the connection made to that very
address (no second lookup an attacker could answer differently), never to a private,
loopback, link-local or otherwise non-global address, a time limit for the whole fetch
and a size limit for the body, and redirects followed a few times with every target
checked again.

A private address is allowed only for one host the owner named (``allow_private_host``,
e.g. an intranet feed): a redirect from there to any other private host is still refused.
``WEB_CHECK_ALLOW_PRIVATE`` (tests only) allows every private address."""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from flask import current_app

from . import dnscheck

MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """The URL could not be fetched; the message says why."""


@dataclass
class Response:
    url: str  # after redirects
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names


def address(host: str, allow_private_host: str | None = None) -> str:
    """The address to connect to: resolved with the configured resolver, refused when not
    global (unless allowed for this host, or by the test setting)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        r = dnscheck.resolver()
        found = dnscheck.lookup(r, host, "A") or dnscheck.lookup(r, host, "AAAA")
        if not found:
            raise FetchError(f"{host} has no address in DNS.") from None
        ip = ipaddress.ip_address(found[0])
    allowed = current_app.config["WEB_CHECK_ALLOW_PRIVATE"] or (
        allow_private_host is not None and host.lower() == allow_private_host.lower())
    if not ip.is_global and not allowed:
        raise FetchError(f"{host} points to a private address ({ip}); it is not fetched.")
    return str(ip)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address we chose, with the certificate checked for the host name."""

    def __init__(self, host: str, ip: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _get_once(url: str, deadline: float, max_bytes: int, headers: dict[str, str],
              allow_private_host: str | None) -> Response:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url} is not an http(s) address.")
    ip = address(parts.hostname, allow_private_host)
    timeout = max(0.1, deadline - time.monotonic())
    port = parts.port or (443 if parts.scheme == "https" else 80)
    conn = (_PinnedHTTPS(parts.hostname, ip, port, timeout) if parts.scheme == "https"
            else http.client.HTTPConnection(ip, port, timeout=timeout))
    try:
        conn.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                     headers={"Host": parts.netloc, **headers})
        response = conn.getresponse()
        body = response.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise FetchError(f"{url} is larger than {max_bytes} bytes.")
        return Response(url, response.status, body,
                        {k.lower(): v for k, v in response.getheaders()})
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"{url} did not answer ({exc.__class__.__name__}: {exc}).") from None
    finally:
        conn.close()


def get(url: str, *, timeout: float, max_bytes: int, headers: dict[str, str] | None = None,
        allow_private_host: str | None = None) -> Response:
    """GET ``url``, following up to MAX_REDIRECTS redirects (each target checked again),
    all within ``timeout`` seconds. Raises FetchError (or dnscheck.LookupFailed)."""
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        response = _get_once(url, deadline, max_bytes, headers or {}, allow_private_host)
        location = response.headers.get("location")
        if response.status in REDIRECTS and location:
            url = urljoin(url, location)
            continue
        return response
    raise FetchError(f"{url} redirects too often.")
