"""Content review rules (seed 004, 3.3.2): categories of content that holds a campaign for
a reviewer, matched in English, Slovak, Czech, German and Slovenian so that inflection and
diacritics do not hide a word and a longer unrelated word does not fire.

A pattern is one or more words. Text and patterns are folded alike (lower case, no
diacritics, anything but letters and digits separates words). A word ending in ``*`` is a
stem and matches any word that starts with it (``kratom*``: kratomu, kratomové); a word
without it matches that whole word only (``vape`` does not fire in "evaporate"). The words
of a pattern follow each other with at most two other words between them.

Per category: *allowed* phrases cancel a match they overlap ("bez THC"), *exceptions*
anywhere in the campaign let the whole category pass (a petition, a B2B footer) unless a
*void* pattern is present too (selling words: a "petition" with a shop link does not pass)."""

import re
import unicodedata
from dataclasses import dataclass

MAX_GAP = 2
CONTEXT = 40  # characters shown around a match


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    patterns: tuple[str, ...]
    allowed: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    void: tuple[str, ...] = ()


@dataclass(frozen=True)
class Folded:
    text: str  # the original
    tokens: list[tuple[str, int, int]]  # folded word, start and end in the original


@dataclass(frozen=True)
class Hit:
    where: str
    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    category: str
    name: str
    where: str
    before: str
    passage: str
    after: str


def fold_char(c: str) -> str:
    return "".join(x for x in unicodedata.normalize("NFKD", c.casefold())
                   if not unicodedata.combining(x))


def fold(text: str) -> Folded:
    chars, origin = [], []
    for i, c in enumerate(text):
        for x in fold_char(c):
            chars.append(x)
            origin.append(i)
    folded = "".join(chars)
    tokens = [(m.group(), origin[m.start()], origin[m.end() - 1] + 1)
              for m in re.finditer(r"[^\W_]+", folded)]
    return Folded(text, tokens)


def compile_pattern(pattern: str) -> tuple[tuple[str, bool], ...]:
    """The pattern's words as (folded word, is a stem)."""
    words = []
    for raw in pattern.split():
        stem = raw.endswith("*")
        parts = [t for t, _, _ in fold(raw.rstrip("*")).tokens]
        words.extend((part, stem and n == len(parts) - 1) for n, part in enumerate(parts))
    return tuple(words)


def _word_matches(word: tuple[str, bool], token: str) -> bool:
    text, stem = word
    return token.startswith(text) if stem else token == text


def matches(pattern: str, folded: Folded) -> list[tuple[int, int]]:
    """Where ``pattern`` occurs in the text: (start, end) in the original."""
    words = compile_pattern(pattern)
    if not words:
        return []
    found, tokens = [], folded.tokens
    for i, (token, start, _) in enumerate(tokens):
        if not _word_matches(words[0], token):
            continue
        at, ok = i, True
        for word in words[1:]:
            nxt = next((j for j in range(at + 1, min(at + 2 + MAX_GAP, len(tokens)))
                        if _word_matches(word, tokens[j][0])), None)
            if nxt is None:
                ok = False
                break
            at = nxt
        if ok:
            found.append((start, tokens[at][2]))
    return found


def _any(patterns, fields: dict[str, Folded]) -> bool:
    return any(matches(p, f) for p in patterns for f in fields.values())


def review(categories: list[Category], texts: list[tuple[str, str]]) -> list[Finding]:
    """Every match that holds the campaign, by category; ``texts`` are (where, text)."""
    fields = {}
    for where, text in texts:
        if text and text.strip():
            key = where if where not in fields else f"{where} ({len(fields)})"
            fields[key] = fold(text)
    findings = []
    for category in categories:
        hits = [Hit(where, s, e) for p in category.patterns for where, f in fields.items()
                for s, e in matches(p, f)]
        allowed = {(where, s, e) for p in category.allowed for where, f in fields.items()
                   for s, e in matches(p, f)}
        hits = [h for h in hits if not any(w == h.where and s < h.end and h.start < e
                                           for w, s, e in allowed)]
        if not hits:
            continue
        if _any(category.exceptions, fields) and not _any(category.void, fields):
            continue
        seen = set()
        for hit in sorted(hits, key=lambda h: (h.where, h.start)):
            if (hit.where, hit.start) in seen:
                continue
            seen.add((hit.where, hit.start))
            text = fields[hit.where].text
            findings.append(Finding(
                category.key, category.name, hit.where,
                text[max(0, hit.start - CONTEXT):hit.start], text[hit.start:hit.end],
                text[hit.end:hit.end + CONTEXT]))
    return findings
