"""HTTP requests to addresses users give us (a sender's website, a webhook endpoint), safe
against server-side request forgery: the host is resolved once and the connection goes to
that address (no second lookup that could answer differently), which must be a global one
(never private, loopback, link-local or reserved, unless the caller's test setting allows
it); the whole exchange has a deadline, the answer a size limit, and redirects are never
followed here (the caller decides, checking each target again)."""

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import gettext

from newsletter.texts import N_, stored

#: host name -> its addresses (strings); the default asks the system resolver
Resolver = Callable[[str], list[str]]


class FetchError(Exception):
    """The request could not be made or answered; the message says why."""


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None  # the Location header (redirects are not followed)
    body: bytes  # at most max_bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names


def system_resolve(host: str) -> list[str]:
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(stored(N_("%(host)s has no address (%(error)s)."), host=host,
                                error=exc)) from None
    return [info[4][0] for info in found]


def _literal(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _allowed(host: str, ip, allow_private: bool) -> str:
    if not allow_private and (not ip.is_global or ip.is_multicast):
        # shown on the webhook form (an address given as an IP); in the worker: English
        raise FetchError(gettext("%(host)s points to a private address (%(ip)s); it is not "
                                 "fetched.", host=host, ip=str(ip)))
    return str(ip)


def check_literal(host: str, allow_private: bool) -> None:
    """Refuse ``host`` now when it is an IP address that is not global (a name is
    checked when it is resolved, at each request)."""
    ip = _literal(host)
    if ip is not None:
        _allowed(host, ip, allow_private)


def address(host: str, resolve: Resolver, allow_private: bool) -> str:
    """The address to connect to for ``host``: refused when it is not a global address
    (unless ``allow_private``)."""
    ip = _literal(host)
    if ip is None:
        found = resolve(host)
        if not found:
            raise FetchError(stored(N_("%(host)s has no address in DNS."), host=host))
        ip = ipaddress.ip_address(found[0].split("%")[0])
    return _allowed(host, ip, allow_private)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address we chose, with the certificate checked for the host name."""

    def __init__(self, host: str, ip: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def request(method: str, url: str, *, deadline: float, max_bytes: int,
            allow_private: bool = False, resolve: Resolver = system_resolve,
            headers: dict[str, str] | None = None, body: bytes | None = None,
            truncate: bool = False) -> Answer:
    """One request, no redirect followed. ``deadline`` is a time.monotonic() value. An
    answer larger than ``max_bytes`` is refused (FetchError), or cut there (``truncate``)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(stored(N_("%(url)s is not a valid address."), url=url)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(stored(N_("%(url)s is not an http(s) address."), url=url))
    ip = address(parts.hostname, resolve, allow_private)
    timeout = max(0.1, deadline - time.monotonic())
    conn = (_PinnedHTTPS(parts.hostname, ip, port, timeout) if parts.scheme == "https"
            else http.client.HTTPConnection(ip, port, timeout=timeout))
    try:
        conn.request(method, (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                     body=body, headers={"Host": parts.netloc, **(headers or {})})
        response = conn.getresponse()
        content = response.read(max_bytes + 1)
        if len(content) > max_bytes and truncate:
            content = content[:max_bytes]
        elif len(content) > max_bytes:
            raise FetchError(stored(N_("%(url)s is larger than %(max)d bytes."), url=url,
                                    max=max_bytes))
        return Answer(response.status, response.getheader("Location"), content,
                      {k.lower(): v for k, v in response.getheaders()})
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(stored(N_("%(url)s did not answer (%(error)s)."), url=url,
                                error=f"{exc.__class__.__name__}: {exc}")) from None
    finally:
        conn.close()
