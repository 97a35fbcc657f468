"""The one safe redirect: every ``next`` or return address that comes from a request (a
query parameter, a form field, the Referer header) passes ``safe_next`` before it reaches
``redirect``, in every blueprint.

Only a path on this site passes: one leading ``/`` and no scheme or host. Anything a browser
could resolve to another host falls back: scheme-relative ``//host``, backslashes (browsers
read ``/\\host`` as ``//host``), whitespace and control characters (browsers drop tabs and
newlines inside URLs, so ``/\\t/host`` is ``//host``), non-ASCII look-alikes, schemes
(``javascript:``, ``http:host``) and all of these hidden behind percent-encoding
(``/%2F%2Fhost``, ``/%5Chost``), however often it was applied."""

import re
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2048
#: anything outside printable ASCII, and the backslash
_UNSAFE = re.compile(r"[^\x21-\x7e]|\\")
#: percent-encoding undone at most this often; a path still encoded after that is refused
_DECODE_ROUNDS = 4


def safe_next(target: str | None, fallback: str, *, origin: str | None = None) -> str:
    """``target`` when it is a path on this site, else ``fallback``.

    ``origin`` (e.g. ``request.host_url``) also admits absolute URLs of this site, such as a
    Referer; they come back as their path. Never raises: hostile input only falls back."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return fallback
    if origin:
        base = origin.rstrip("/")
        if target.startswith(base + "/"):
            target = target[len(base):]
    return target if is_local_path(target) else fallback


def is_local_path(target: str) -> bool:
    """True for ``/path[?query][#fragment]`` that every browser resolves on this host."""
    if _UNSAFE.search(target) or not _single_leading_slash(target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unbalanced "[" that looks like an IPv6 host
        return False
    if parts.scheme or parts.netloc:
        return False
    path = parts.path
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote(path)
        if decoded == path:
            return True
        if _UNSAFE.search(decoded) or not _single_leading_slash(decoded):
            return False
        path = decoded
    return False


def _single_leading_slash(path: str) -> bool:
    return path.startswith("/") and not path.startswith("//")
