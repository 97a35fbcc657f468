"""Composer blocks: what editors add, reorder and edit, turned into e-mail-safe HTML
(tables where mail clients need them, classes styled by the theme and inlined later), and
the starter templates a campaign can begin from."""

import re
from html import escape
from urllib.parse import urlsplit

from flask_babel import gettext, ngettext

from newsletter.errors import DomainError
from newsletter.texts import N_

#: type -> label shown in the composer (translated where shown)
BLOCK_TYPES = {
    "heading": N_("Heading"),
    "text": N_("Text"),
    "image": N_("Image"),
    "button": N_("Button"),
    "divider": N_("Divider"),
    "columns": N_("Two columns"),
    "html": N_("Raw HTML"),
}


def block_labels() -> dict[str, str]:
    """BLOCK_TYPES in the reader's language (the composer's legends and Add menu)."""
    return {kind: gettext(label) for kind, label in BLOCK_TYPES.items()}


#: the fields each block keeps (all strings)
BLOCK_FIELDS = ("type", "text", "text2", "url", "label")
MAX_BLOCKS = 60


class BlockError(DomainError):
    """``index``/``field``: the block (0-based) and its field the problem is at, if any."""

    def __init__(self, message: str, index: int | None = None, field: str | None = None):
        super().__init__(message)
        self.index, self.field = index, field


def clean_block(raw: dict) -> dict:
    """Keep only known fields, as strings; an unknown type is an error."""
    kind = str(raw.get("type") or "")
    if kind not in BLOCK_TYPES:
        raise BlockError(gettext("Unknown block type %(kind)s.", kind=repr(kind)))
    block = {"type": kind}
    for name in BLOCK_FIELDS[1:]:
        value = raw.get(name)
        block[name] = "" if value is None else str(value)
    return block


def clean_blocks(raw_blocks: list) -> list[dict]:
    if len(raw_blocks) > MAX_BLOCKS:
        raise BlockError(ngettext("A campaign can have at most %(num)d block.",
                                  "A campaign can have at most %(num)d blocks.", MAX_BLOCKS))
    return [clean_block(b) for b in raw_blocks if isinstance(b, dict)]


_MERGE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def _web_address(url: str) -> bool:
    """An absolute http(s) address with a host (merge tags may follow the host)."""
    literal = _MERGE_TAG.sub("x", url.strip())
    parts = urlsplit(literal)
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and bool(host) and " " not in literal \
        and "{" not in host and ("." in host or host == "localhost")


def _link_address(url: str) -> bool:
    url = url.strip()
    if url.lower().startswith(("mailto:", "tel:")):
        return len(url.split(":", 1)[1].strip()) > 0 and " " not in _MERGE_TAG.sub("x", url)
    return _web_address(url)


def check_blocks(blocks: list[dict]) -> None:
    """Refuse a block that would go out broken (BlockError naming the block and field):
    an image without a usable address, a link that is not a complete address, a button
    without a label. Run at save; the live preview shows unfinished blocks as they are."""
    for index, block in enumerate(blocks):
        problem = _block_problem(block, index + 1)
        if problem:
            raise BlockError(problem[1], index, problem[0])


def _block_problem(block: dict, n: int) -> tuple[str, str] | None:
    kind, url = block["type"], block["url"].strip()
    if kind == "image":
        if not url:
            return "url", gettext("Image %(n)s: give the image's address (https://…) or "
                                  "upload an image, or remove the block.", n=n)
        if not (url.startswith("/media/") or _web_address(url)):
            return "url", gettext("Image %(n)s: “%(url)s” is not an image address; it starts "
                                  "with https:// (or is an uploaded /media/ image).",
                                  n=n, url=url)
        link = block["text"].strip()
        if link and not _link_address(link):
            return "text", gettext("Image %(n)s link: “%(url)s” is not a complete address, "
                                   "e.g. https://example.com/page.", n=n, url=link)
    if kind == "button":
        if not block["label"].strip():
            return "label", gettext("Button %(n)s: give the button a label.", n=n)
        if not _link_address(url):
            return "url", gettext("Button %(n)s: give the link's complete address, e.g. "
                                  "https://example.com/page (not “%(url)s”).", n=n, url=url)
    return None


def new_block(kind: str) -> dict:
    defaults = {
        "heading": {"text": "A headline"},
        "text": {"text": "<p>Write something here.</p>"},
        "image": {"url": "", "label": "Image description"},
        "button": {"label": "Read more", "url": "https://"},
        "columns": {"text": "<p>Left column</p>", "text2": "<p>Right column</p>"},
        "html": {"text": ""},
    }
    return clean_block({"type": kind, **defaults.get(kind, {})})


def move(blocks: list[dict], index: int, offset: int) -> list[dict]:
    """The blocks with the one at ``index`` moved by ``offset`` (clamped at the ends)."""
    blocks = list(blocks)
    target = max(0, min(len(blocks) - 1, index + offset))
    if 0 <= index < len(blocks):
        blocks.insert(target, blocks.pop(index))
    return blocks


def _row(inner: str, css: str = "nl-block") -> str:
    return f'<tr><td class="{css}">{inner}</td></tr>'


def block_html(block: dict, heading_level: int = 1) -> str:
    """One block as a table row of the message body. Text and HTML fields are raw here;
    the whole body is sanitized afterwards (rendering.sanitize). A heading block is an
    ``<h{heading_level}>``."""
    kind, text, url, label = block["type"], block["text"], block["url"], block["label"]
    if kind == "heading":
        return _row(f'<h{heading_level} class="nl-heading">{escape(text, quote=False)}'
                    f'</h{heading_level}>')
    if kind == "text":
        return _row(f'<div class="nl-text">{text}</div>')
    if kind == "image":
        if not url:
            return ""
        image = f'<img class="nl-image" src="{escape(url)}" alt="{escape(label)}" width="560">'
        link = text.strip()
        return _row(f'<a href="{escape(link)}">{image}</a>' if link else image)
    if kind == "button":
        return _row(
            '<table class="nl-button-table" role="presentation" cellpadding="0" '
            f'cellspacing="0"><tr><td class="nl-button"><a class="nl-button-link" '
            f'href="{escape(url)}">{escape(label, quote=False)}</a></td></tr></table>')
    if kind == "divider":
        return _row('<hr class="nl-divider">')
    if kind == "columns":
        return _row(
            '<table class="nl-columns" role="presentation" width="100%" cellpadding="0" '
            f'cellspacing="0"><tr><td class="nl-col" width="50%" valign="top">{text}</td>'
            f'<td class="nl-col" width="50%" valign="top">{block["text2"]}</td></tr></table>')
    return _row(text)  # raw HTML


def blocks_html(blocks: list[dict]) -> str:
    """The message body. The first heading block is the message's title (h1), later ones
    are its sections (h2), so a screen reader's list of headings skips no level."""
    rows, titled = [], False
    for block in blocks:
        rows.append(block_html(block, heading_level=2 if titled else 1))
        titled = titled or block["type"] == "heading"
    rows = "".join(rows)
    return ('<table class="nl-body" role="presentation" width="100%" cellpadding="0" '
            f'cellspacing="0">{rows}</table>')


#: Starter templates ("predloha"): a name and the blocks a new campaign begins with.
TEMPLATES = {
    "blank": (N_("Blank"), []),
    "newsletter": (N_("Newsletter"), [
        {"type": "heading", "text": "News from {{ organization | default(\"us\") }}"},
        {"type": "text", "text": "<p>Dear {{ first_name | default(\"reader\") }},</p>"
                                 "<p>here is what happened this month.</p>"},
        {"type": "columns", "text": "<h2>First story</h2><p>A short summary.</p>",
         "text2": "<h2>Second story</h2><p>Another short summary.</p>"},
        {"type": "button", "label": "Read the whole issue", "url": "https://example.com/"},
        {"type": "divider"},
        {"type": "text", "text": "<p>Thank you for reading.</p>"},
    ]),
    "announcement": (N_("Announcement"), [
        {"type": "heading", "text": "Big news"},
        {"type": "text", "text": "<p>Hello {{ first_name | default(\"friend\") }},</p>"
                                 "<p>we have something to tell you.</p>"},
        {"type": "button", "label": "Find out more", "url": "https://example.com/"},
    ]),
}


def template_blocks(name: str) -> list[dict]:
    if name not in TEMPLATES:
        raise BlockError(gettext("Unknown template %(name)s.", name=repr(name)))
    return clean_blocks(TEMPLATES[name][1])
