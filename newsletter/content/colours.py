"""Readable colours on a theme's colours: the WCAG 2.1 contrast ratio, and the text colour
to use on a given background so small text reaches 4.5:1 (1.4.3) whatever the theme."""

import re

#: the one colour notation themes store
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: WCAG 2.1 AA for normal-size text
READABLE = 4.5
DARK_TEXT = "#111827"
LIGHT_TEXT = "#ffffff"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2.1); an unreadable value counts as white."""
    try:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    except (TypeError, ValueError):
        return 1.0
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(one: str, other: str) -> float:
    """The contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_on(background: str, preferred: str) -> str:
    """``preferred`` when it reaches 4.5:1 on ``background``, else near-black or white,
    whichever contrasts more (pure black on mid greys, where near-black falls short: one
    of black and white always reaches 4.5:1)."""
    if not COLOUR.match(background or ""):
        return preferred
    if contrast(preferred, background) >= READABLE:
        return preferred
    best = max((DARK_TEXT, LIGHT_TEXT), key=lambda c: contrast(c, background))
    if contrast(best, background) >= READABLE:
        return best
    return max(("#000000", LIGHT_TEXT), key=lambda c: contrast(c, background))
