"""Fetching a URL a user gave for the compliance and automation checks (a sender's website,
a campaign's feed): ``platform.safefetch`` does each request (http(s) only, one lookup and
the connection pinned to that address, never a private, loopback, link-local or otherwise
non-global address, a time limit and a size limit); here the host is resolved with the
configured resolver and redirects are followed a few times, every target checked again.

A private address is allowed only for one host the owner named (``allow_private_host``,
e.g. an intranet feed): a redirect from there to any other private host is still refused.
``WEB_CHECK_ALLOW_PRIVATE`` (tests only) allows every private address."""

import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from flask import current_app

from newsletter.platform import safefetch
from newsletter.platform.safefetch import FetchError

from . import dnscheck

__all__ = ["FetchError", "Response", "get"]

MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class Response:
    url: str  # after redirects
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names


def _resolve(host: str) -> list[str]:
    """The host's addresses from the configured resolver (DNS_NAMESERVERS)."""
    r = dnscheck.resolver()
    return dnscheck.lookup(r, host, "A") or dnscheck.lookup(r, host, "AAAA")


def _private_allowed(url: str, allow_private_host: str | None) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return bool(current_app.config["WEB_CHECK_ALLOW_PRIVATE"] or (
        allow_private_host is not None and host == allow_private_host.lower()))


def get(url: str, *, timeout: float, max_bytes: int, headers: dict[str, str] | None = None,
        allow_private_host: str | None = None) -> Response:
    """GET ``url``, following up to MAX_REDIRECTS redirects (each target checked again),
    all within ``timeout`` seconds. Raises FetchError (or dnscheck.LookupFailed)."""
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        answer = safefetch.request("GET", url, deadline=deadline, max_bytes=max_bytes,
                                   allow_private=_private_allowed(url, allow_private_host),
                                   resolve=_resolve, headers=headers)
        if answer.status in REDIRECTS and answer.location:
            url = urljoin(url, answer.location)
            continue
        return Response(url, answer.status, answer.body, answer.headers)
    raise FetchError(f"{url} redirects too often.")
