"""HTML templates whose rendering is sanitized HTML, whatever the merge data.

A body is sanitized as the renderer will write it: every merge tag becomes a slot word,
bleach cleans the HTML around the slots (allow-list below), and the tags come back. What a
render then writes is that cleaned HTML, with only escaped text (sandbox.py: merge output is
never markup) where the slots were. That holds only where text cannot change the HTML
around it, so tags are allowed:

- ``{{ ... }}`` and ``{# ... #}``: between tags, or inside a quoted attribute value (in a
  link or image address only after a literal ``https:``, ``http:``, ``mailto:``, ``tel:``,
  ``/``, ``#`` or ``?``, so merge data can never choose the scheme, e.g. ``javascript:``);
- ``{% ... %}``: only between tags (an ``if`` or ``for`` there repeats or skips whole
  pieces of cleaned HTML; inside a tag it could cut an attribute open).

``safe_template`` refuses anything else with a RenderError; the renderer and the bulk
renderer compile only its result."""

import re
import secrets
from collections import Counter
from functools import lru_cache

import bleach
from flask_babel import gettext

from .sandbox import RenderError, environment, error_language, merge_tag_error

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "center", "code", "div", "em", "h1", "h2", "h3",
    "h4", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
_CELL = ["align", "valign", "width", "colspan", "rowspan"]
ALLOWED_ATTRIBUTES = {
    "*": ["class", "dir", "align", "title"],
    "a": ["href", "title"],
    "img": ["src", "alt", "width", "height"],
    "table": ["width", "cellpadding", "cellspacing", "border", "role"],
    "td": _CELL,
    "th": _CELL,
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src"})

_cleaner = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                          protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True)
_DROP_WITH_CONTENT = re.compile(r"<(script|style|head|title|xml)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_JINJA_OPENERS = ("{{", "{%", "{#")
_ENDS = {"variable_begin": "variable_end", "block_begin": "block_end",
         "comment_begin": "comment_end"}
#: bleach writes tags as <name attr="value" ...> (values always double-quoted, a quote in
#: them as &quot;) and escapes < in text, so this finds every tag of its output
_HTML_TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')
_ATTRIBUTE = re.compile(r'([^\s"=<>/]+)="([^"]*)"')
_URL_START = re.compile(r"(?i)(https?:|mailto:|tel:|/|#|\?)")


def sanitize(html: str) -> str:
    """The allow-listed subset of ``html``: no script, no event attributes, no
    ``javascript:`` URLs, no inline styles (the theme styles messages). Word and Google Docs
    paste survives as its text and basic structure, a rich-text editor's lists as lists."""
    return _cleaner.clean(quill_lists(_DROP_WITH_CONTENT.sub("", html or "")))


_QUILL_LIST = re.compile(r"<ol>((?:\s*<li data-list=\"\w+\"[^>]*>.*?</li>)+)\s*</ol>", re.S)
_QUILL_ITEM = re.compile(r"<li data-list=\"(\w+)\"[^>]*>(.*?)</li>", re.S)
_QUILL_UI = re.compile(r'<span class="ql-ui"[^>]*></span>')


def quill_lists(html: str) -> str:
    """Quill's own list markup (one ``<ol>`` whose items say ``data-list="bullet"`` or
    ``"ordered"``, as its editing area holds it) as the ``<ul>``/``<ol>`` lists mail clients
    show: without this a bulleted list would arrive numbered. The composer's editor already
    writes plain lists; this covers its raw markup pasted into the HTML view."""
    def lists(match: re.Match) -> str:
        out, kind = [], None
        for item_kind, inner in _QUILL_ITEM.findall(match.group(1)):
            tag = "ul" if item_kind in ("bullet", "checked", "unchecked") else "ol"
            if tag != kind:
                out.append((f"</{kind}>" if kind else "") + f"<{tag}>")
                kind = tag
            out.append(f"<li>{_QUILL_UI.sub('', inner)}</li>")
        return "".join(out) + f"</{kind}>"
    return _QUILL_LIST.sub(lists, html) if "data-list=" in html else html


class Slots:
    """Unique words standing in for Jinja source while HTML is cleaned, laid out and
    inlined; ``restore`` puts the source back."""

    def __init__(self):
        self.prefix = "nlslot" + secrets.token_hex(5)
        self.pattern = re.compile(self.prefix + r"(\d+)x")
        self.sources: list[str] = []

    def add(self, source: str) -> str:
        self.sources.append(source)
        return f"{self.prefix}{len(self.sources) - 1}x"

    def protect(self, template: str) -> str:
        return _TAG.sub(lambda m: self.add(m.group(0)), template)

    def restore(self, text: str) -> str | None:
        """The Jinja source, or None when literal text would itself read as Jinja."""
        parts = self.pattern.split(text)
        if any(opener in part for part in parts[::2] for opener in _JINJA_OPENERS):
            return None
        return "".join(part if i % 2 == 0 else self.sources[int(part)]
                       for i, part in enumerate(parts))


def safe_template(source: str) -> str:
    """``source`` (HTML with merge tags) cleaned as it will be rendered; RenderError when
    a merge tag sits where its output could change the HTML around it."""
    result = _safe_template(source, error_language())
    if isinstance(result, RenderError):
        raise RenderError(str(result))
    return result


@lru_cache(maxsize=256)
def _safe_template(source: str, language: str) -> str | RenderError:
    """Cached, failures included (in the ``language`` of their message): a bulk send asks
    once per recipient."""
    try:
        slots = Slots()
        protected = slots.protect(source)
        _check_tags(source, protected)
        clean = sanitize(protected)
        _check_places(clean, slots)
        restored = slots.restore(clean)
        if restored is None:
            raise RenderError(gettext("The content has text that reads as a broken merge tag."))
        return restored
    except RenderError as exc:
        return exc


def _check_tags(source: str, protected: str) -> None:
    """Each slot is exactly one Jinja tag and the text between them holds none, so the
    slots are where Jinja's own lexer puts the tags."""
    if any(opener in protected for opener in _JINJA_OPENERS):
        raise RenderError(gettext("A merge tag is not closed: write %(output)s, %(statement)s "
                                  "or %(comment)s.", output="{{ ... }}",
                                  statement="{% ... %}", comment="{# ... #}"))
    lexer = environment(True)
    for match in _TAG.finditer(source):
        tag, line = match.group(0), source.count("\n", 0, match.start()) + 1
        try:
            tokens = [kind for _, kind, _ in lexer.lex(tag)]
        except Exception as exc:
            raise RenderError(merge_tag_error(str(getattr(exc, "message", exc)), line)) \
                from exc
        if tokens and tokens[0] == "raw_begin":
            raise RenderError(gettext("%(tag)s is not allowed in merge tags.", tag="{% raw %}"))
        if not tokens or _ENDS.get(tokens[0]) != tokens[-1] \
                or sum(kind in _ENDS for kind in tokens) != 1:
            raise RenderError(gettext("merge tag error on line %(line)s: %(tag)s is not one "
                                      "complete tag.", line=line, tag=tag[:60]))


def _check_places(clean: str, slots: Slots) -> None:
    """Every tag where the module docstring allows it; block tags exactly once."""
    seen: Counter[int] = Counter()

    def check(text: str, attribute: str | None = None, value: str = "") -> None:
        for match in slots.pattern.finditer(text):
            number = int(match.group(1))
            seen[number] += 1
            source = slots.sources[number]
            if attribute is None:
                continue
            if source.startswith("{%"):
                raise RenderError(gettext("%(tag)s is inside an HTML tag; put %(statement)s tags "
                                          "between tags, e.g. around a whole link.",
                                          tag=source[:60], statement="{% ... %}"))
            if attribute in URL_ATTRIBUTES and not _URL_START.match(value[:match.start()]):
                raise RenderError(gettext("The address %(address)s starts with a merge tag; "
                                          "begin it with https://, mailto: or / before any "
                                          "tag.", address=repr(value[:60])))

    position = 0
    for tag in _HTML_TAG.finditer(clean):
        check(clean[position:tag.start()])
        outside = _ATTRIBUTE.sub("", tag.group(0))
        if slots.pattern.search(outside):
            raise RenderError(
                gettext("A merge tag is inside an HTML tag's name or attribute name."))
        for attribute in _ATTRIBUTE.finditer(tag.group(0)):
            check(attribute.group(2), attribute.group(1).lower(), attribute.group(2))
        position = tag.end()
    rest = clean[position:]
    if "<" in rest:
        raise RenderError(gettext("The content has HTML that could not be read."))
    check(rest)
    for number, source in enumerate(slots.sources):
        if source.startswith("{%") and seen[number] != 1:
            raise RenderError(gettext("%(tag)s was inside HTML that is not allowed (it was "
                                      "removed); put it between allowed tags.",
                                      tag=source[:60]))
