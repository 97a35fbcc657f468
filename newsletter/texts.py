"""Texts in the translation catalogue that are kept before they are shown: markers for
texts defined in a table or a constant (``N_``, ``N_plural``: `make translations` extracts
them, gettext translates them where a page or a mail shows them), and texts written down for
people to read later (``stored``, ``shown``).

Why a delivery failed or was skipped, why a recurring run was skipped, why a webhook was
paused, what a sender's domain check found: workers store them in English (the log's and
the API's language: ``stored``); a page shows them in the reader's language (``shown``), by
finding the catalogue message whose English they are. A stored text is made with
``stored(N_("... %(name)s ..."), name=value)``; its values may themselves be stored texts (a
merge-tag error inside "Message not built: ..."), and they are translated too. A text that
is no catalogue message (a mail server's own reply, an operating system's error) is shown
as it was stored.

The base layer: channels, platform and every feature package use it."""

import re

from flask_babel import get_translations

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])|%%")
#: a message must have this many letters outside its placeholders to be matched, so that
#: "%(a)s: %(b)s" does not claim every text with a colon
_MIN_LITERAL_LETTERS = 4
_NESTING = 2  # values translated inside values, at most this deep


def N_(msgid: str) -> str:
    """Marks ``msgid`` for extraction; it is translated where it is shown."""
    return msgid


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """N_ for a message with plural forms (extracted with both)."""
    return singular, plural


def stored(msgid: str, **params) -> str:
    """The English text to store: ``msgid`` (marked with N_) filled with ``params``."""
    return msgid % params if params else msgid


def shown(text: str | None) -> str:
    """A stored text in the current language; as stored when no catalogue message fits."""
    if not text:
        return text or ""
    return _shown(str(text), _NESTING)


def _shown(text: str, depth: int) -> str:
    catalog = getattr(get_translations(), "_catalog", None)  # GNUTranslations: msgid -> text
    if not catalog:  # English, or no catalogue: the stored text is the text
        return text
    if text in catalog:
        return catalog[text]
    prefixed, loose = _index(catalog)
    for msgid, pattern, numbers in prefixed.get(text[:4], []) + loose:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = {}
        for name, value in match.groupdict().items():
            values[name] = int(value) if name in numbers else \
                (_shown(value, depth - 1) if depth > 1 else value)
        try:
            return catalog[msgid] % values
        except (KeyError, TypeError, ValueError):  # a translation with other placeholders
            return text
    return text


_INDEXES: dict[int, tuple[dict, tuple]] = {}


def _index(catalog: dict) -> tuple:
    """The catalogue's messages with placeholders as patterns: those that start with text
    by their first four characters, the others in one list; the most specific (longest
    literal text) first, and among equals (the same English with other placeholder
    names) always the same one."""
    kept = _INDEXES.get(id(catalog))
    if kept is not None and kept[0] is catalog:
        return kept[1]
    prefixed: dict[str, list] = {}
    loose = []
    for msgid in sorted((k for k in catalog if isinstance(k, str) and "%(" in k),
                        key=lambda k: (-len(_PLACEHOLDER.sub("", k)), k)):
        compiled = _compile(msgid)
        if compiled is None:
            continue
        if msgid.index("%(") >= 4:
            prefixed.setdefault(msgid[:4], []).append((msgid, *compiled))
        else:
            loose.append((msgid, *compiled))
    _INDEXES[id(catalog)] = (catalog, (prefixed, loose))
    return prefixed, loose


def _compile(msgid: str) -> tuple[re.Pattern, frozenset[str]] | None:
    if msgid.count("%(") != len(_PLACEHOLDER.findall(msgid.replace("%%", ""))):
        return None  # a placeholder other than %(name)s and %(name)d
    if sum(ch.isalpha() for ch in _PLACEHOLDER.sub("", msgid)) < _MIN_LITERAL_LETTERS:
        return None
    parts, seen, numbers, end = [], set(), set(), 0
    for match in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[end:match.start()]))
        end = match.end()
        name, kind = match.group(1), match.group(2)
        if name is None:
            parts.append("%")
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            if kind == "d":
                numbers.add(name)
            parts.append(f"(?P<{name}>-?\\d+)" if kind == "d" else f"(?P<{name}>.*?)")
    parts.append(re.escape(msgid[end:]))
    return re.compile("".join(parts), re.DOTALL), frozenset(numbers)
