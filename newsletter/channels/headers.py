"""Mail header values: the one function every header value passes on its way to the wire
(campaign messages, test sends, subscriber mail), so no name, subject, file name or merge
result can start a header line of its own.

``CONTROL`` is also what the entry points refuse in names (imports, contact and list
forms, senders, signup), so folding here only ever meets data that slipped past them."""

import re
from collections.abc import Iterable
from email.header import Header
from email.utils import formataddr

#: C0 and C1 control characters (CR, LF, tab, NUL, NEL, ...), DEL and the Unicode line and
#: paragraph separators: whatever some mail software reads as the end of a line
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LONG = 900  # an ASCII value longer than this is folded (lines end at 998 characters)


def header_value(value: str, *, encode: bool = True) -> str:
    """``value`` fit for a header: each control character becomes a space; then ASCII as it
    is, anything else as RFC 2047 encoded-words (``encode=False``: folding only, for an
    address, or for ``email.message`` which encodes itself)."""
    value = CONTROL.sub(" ", value or "")
    if not encode or (value.isascii() and len(value) <= _LONG):
        return value
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, maxlinelen=998).encode(linesep="\r\n")


def mailbox(name: str | None, address: str) -> str:
    """``Name <address>`` (or the bare address), both parts through ``header_value``."""
    name = header_value(name or "")
    return formataddr((name, header_value(address, encode=False))) if name.strip() \
        else header_value(address, encode=False)


def phrase(name: str) -> str:
    """A display phrase such as List-Id's: quoted when ASCII, else encoded-words (which
    must not stand inside quotes, RFC 2047 section 5)."""
    value = header_value(name.replace("\\", "").replace('"', ""))
    return f'"{value}"' if value.isascii() and not value.startswith("=?") else value


def header_lines(headers: Iterable[tuple[str, str]]) -> bytes:
    """``Name: value`` lines for values built with the functions above; each value passes
    ``header_value`` once more (a no-op for them), so a value built any other way still
    cannot add a line."""
    return "".join(f"{name}: {_finished(value)}\r\n" for name, value in headers).encode()


def _finished(value: str) -> str:
    """A built value keeps its own folding (CRLF + space inside encoded-words); any other
    control character is folded."""
    if CONTROL.search(value) is None:
        return value
    lines = value.split("\r\n")
    first, rest = lines[0], lines[1:]
    if any(not line.startswith((" ", "\t")) for line in rest):
        return header_value(value, encode=False)
    return "\r\n".join([header_value(first, encode=False)]
                       + [line[0] + header_value(line[1:], encode=False) for line in rest])
