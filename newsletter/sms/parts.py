"""Exact GSM 03.38 part counting and splitting.

A text that uses only the GSM-7 default alphabet (and its extension table) is sent in
septets: 160 in one part, 153 per part when concatenated (the 6-byte UDH takes the rest).
Extension characters (``^ { } \\ [ ~ ] | €`` and form feed) cost two septets, an escape and
the character, and that pair is never split across parts. Any other character switches the
whole message to UCS-2 (UTF-16 code units): 70 in one part, 67 per part, and a surrogate
pair (an emoji, for instance) is never split. A message may use at most ``MAX_PARTS`` parts.

``split`` returns the parts themselves, so what the counter shows is what the gateway sends.
"""

import functools
from dataclasses import dataclass, field

#: the GSM 03.38 default alphabet, in code order (0x1B, the escape, left out)
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: the extension table: each costs the escape plus itself
GSM7_EXTENSION = "\x0c^{}\\[~]|€"
_BASIC = frozenset(GSM7_BASIC) - {"\x1b"}
_EXTENSION = frozenset(GSM7_EXTENSION)

GSM7 = "gsm7"
UCS2 = "ucs2"
#: units in a single part / per part of a concatenated message
SINGLE = {GSM7: 160, UCS2: 70}
CONCATENATED = {GSM7: 153, UCS2: 67}
MAX_PARTS = 3


@dataclass(frozen=True)
class SmsParts:
    """How one text is sent: its encoding, its length in units (septets or UTF-16 code
    units), the parts, and the characters that forced UCS-2 (in order, each once)."""

    text: str
    encoding: str
    units: int
    parts: tuple[str, ...]
    forced_ucs2: tuple[str, ...] = field(default=())

    @property
    def count(self) -> int:
        return len(self.parts)

    @property
    def within_cap(self) -> bool:
        return self.count <= MAX_PARTS

    @property
    def per_part(self) -> int:
        """Units a part holds at this length (single or concatenated)."""
        return SINGLE[self.encoding] if self.count <= 1 else CONCATENATED[self.encoding]

    @property
    def remaining(self) -> int:
        """Units left before one more part is needed (0 past the cap)."""
        if self.count <= 1:
            return SINGLE[self.encoding] - self.units
        used_in_last = sum(unit_cost(c, self.encoding) for c in self.parts[-1])
        return CONCATENATED[self.encoding] - used_in_last


def is_gsm7(char: str) -> bool:
    return char in _BASIC or char in _EXTENSION


def unit_cost(char: str, encoding: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) one character takes."""
    if encoding == GSM7:
        return 2 if char in _EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def ucs2_forcing(text: str) -> tuple[str, ...]:
    """The characters outside GSM-7, in order of first appearance."""
    return tuple(dict.fromkeys(c for c in text if not is_gsm7(c)))


@functools.lru_cache(maxsize=2048)
def split(text: str) -> SmsParts:
    """The parts ``text`` is sent in. An empty text has no parts. Cached: a campaign's
    texts repeat (the same first names), and the text is split when it is merged and again
    when a gateway sends it."""
    forced = ucs2_forcing(text)
    encoding = UCS2 if forced else GSM7
    costs = [unit_cost(c, encoding) for c in text]
    units = sum(costs)
    if not text:
        return SmsParts(text, encoding, 0, (), forced)
    if units <= SINGLE[encoding]:
        return SmsParts(text, encoding, units, (text,), forced)
    limit = CONCATENATED[encoding]
    parts: list[str] = []
    start, used = 0, 0
    for index, cost in enumerate(costs):
        if used + cost > limit:  # an escape pair or a surrogate pair stays whole
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return SmsParts(text, encoding, units, tuple(parts), forced)


def encode(part: str, encoding: str) -> bytes:
    """One part's bytes for the gateway: GSM-7 as one unpacked septet per byte (SMPP
    ``data_coding`` 0, the escape 0x1B before extension characters), UCS-2 as UTF-16BE."""
    if encoding == UCS2:
        return part.encode("utf-16-be")
    out = bytearray()
    for char in part:
        if char in _EXTENSION:
            out += bytes((0x1B, _EXTENSION_CODES[char]))
        else:
            out.append(_BASIC_CODES[char])
    return bytes(out)


_BASIC_CODES = {char: code for code, char in enumerate(GSM7_BASIC) if char != "\x1b"}
_EXTENSION_CODES = {"\x0c": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C,
                    "~": 0x3D, "]": 0x3E, "|": 0x40, "€": 0x65}


_BASIC_CHARS = {code: char for char, code in _BASIC_CODES.items()}
_EXTENSION_CHARS = {code: char for char, code in _EXTENSION_CODES.items()}


def decode(data: bytes, data_coding: int) -> str:
    """Text of an incoming short message: UCS-2 (data_coding 8) or GSM-7 unpacked septets
    (0; an unknown escape gives a space); other codings are read as Latin-1."""
    if data_coding == 0x08:
        return data.decode("utf-16-be", errors="replace")
    if data_coding != 0x00:
        return data.decode("latin-1")
    out, escaped = [], False
    for code in data:
        if escaped:
            out.append(_EXTENSION_CHARS.get(code, " "))
            escaped = False
        elif code == 0x1B:
            escaped = True
        else:
            out.append(_BASIC_CHARS.get(code & 0x7F, " "))
    return "".join(out)
