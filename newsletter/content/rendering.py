"""Campaign content -> the subject, HTML and text a recipient gets. Pure: no database, no
request. Editors' HTML is sanitized with a bleach allow-list as it will be rendered, merge
tags in place (markup.py); merge tags run in the budgeted Jinja2 sandbox (sandbox.py) and
are checked at save time; the theme's CSS is inlined with css-inline; a plain-text
alternative is derived from the HTML."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import css_inline
from flask_babel import gettext
from jinja2 import Environment, FileSystemLoader, meta, select_autoescape
from markupsafe import Markup

from newsletter.channels.headers import CONTROL
from newsletter.platform.i18n import translator

from . import colours, markup, sandbox
from .markup import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS, sanitize  # noqa: F401
from .sandbox import RenderError

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"

#: merge tags editors may use; ``attributes`` holds the contact's custom attributes
MERGE_NAMES = ("first_name", "last_name", "name", "email", "organization", "language",
               "attributes")


@dataclass(frozen=True)
class Style:
    """The theme's look and footer (see themes.py for the stored Theme)."""

    primary_color: str = "#1a5fb4"
    background_color: str = "#f3f4f6"
    text_color: str = "#1f2937"
    font_family: str = "Arial, Helvetica, sans-serif"
    logo_url: str = ""
    organization: str = ""
    contact_details: str = ""
    legal_notice: str = ""


@dataclass(frozen=True)
class Content:
    """One language's content of a campaign: body_html is sanitized, both bodies may hold
    merge tags."""

    subject: str
    body_html: str
    body_text: str
    language: str = "en"
    #: the inbox preview line after the subject: plain text, hidden in the message
    preheader: str = ""


@dataclass(frozen=True)
class Links:
    """Footer and header links of one message (None: left out, e.g. the public archive)."""

    unsubscribe: str | None = None
    profile: str | None = None
    webview: str | None = None
    open_pixel: str | None = None
    base_url: str = ""  # makes /media/... image sources absolute


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    links: list[str] = field(default_factory=list)  # tracked targets found in the body


# --- merge tags -------------------------------------------------------------------------
def check_merge_tags(source: str, where: str, html: bool = True) -> None:
    """Raise RenderError naming the problem when ``source`` has a syntax error, a tag that
    is not a known merge field, a construct the sandbox refuses, or a tag where it could
    change the HTML around it. Run within a budget (``prepare`` opens one)."""
    try:
        template = _compiled(source, html)
        parsed = sandbox.environment(html).parse(
            markup.safe_template(source) if html else source)
    except RenderError as exc:
        raise RenderError(f"{where}: {exc}") from exc
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(MERGE_NAMES))
    if unknown:
        raise RenderError(gettext(
            "%(where)s: unknown merge tag %(tag)s; use one of %(names)s (custom fields as "
            "attributes.<name>).", where=where, tag=f"{{{{ {unknown[0]} }}}}",
            names=", ".join(MERGE_NAMES)))
    # a trial run with sample and with empty data catches what only shows when rendering
    # (the sandbox refusing an attribute, a filter given the wrong arguments, the budget)
    for data in (sample_merge_data(), {"attributes": {}}):
        try:
            sandbox.render(template, data)
        except Exception as exc:
            raise RenderError(gettext("%(where)s: merge tags cannot be rendered: %(problem)s",
                                      where=where, problem=exc)) from exc


def _compiled(source: str, html: bool):
    """Compiled once per content and process: a campaign renders the same source for
    every recipient. HTML is compiled from its safe form (markup.safe_template)."""
    result = _compile(source, html, sandbox.error_language())
    if isinstance(result, RenderError):
        raise RenderError(str(result))
    return result


@lru_cache(maxsize=256)
def _compile(source: str, html: bool, language: str):
    """``language``: of the message of a failure, which is cached too."""
    try:
        return sandbox.compile_template(markup.safe_template(source) if html else source,
                                        html)
    except RenderError as exc:
        return exc  # cached too: a broken template is refused once per process


def merge(source: str, data: dict, html: bool) -> str:
    """Render merge tags; empty fields are left undefined so ``default(...)`` applies."""
    context = {k: v for k, v in data.items() if v not in (None, "")}
    try:
        return sandbox.render(_compiled(source, html), context)
    except RenderError:
        raise
    except Exception as exc:  # validated at save; a runtime error must not stop a send
        raise RenderError(gettext("Merge tags could not be rendered: %(problem)s",
                                  problem=exc)) from exc


def sample_merge_data() -> dict:
    return {"first_name": "Jana", "last_name": "Nováková", "name": "Jana Nováková",
            "email": "jana@example.com", "organization": "Example Ltd.", "language": "en",
            "attributes": {}}


# --- plain text -------------------------------------------------------------------------
class _TextMaker(HTMLParser):
    BREAKS = {"p", "div", "h1", "h2", "h3", "h4", "tr", "table", "blockquote", "ul", "ol",
              "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.BREAKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "hr":
            self.parts.append("\n\n----------\n\n")
        elif tag == "td":
            self.parts.append(" ")
        elif tag == "a":
            self.href, self.link_text = attrs.get("href"), []
        elif tag == "img" and attrs.get("alt"):
            self.parts.append(f"[{attrs['alt']}]")

    def handle_endtag(self, tag):
        if tag == "a" and self.href is not None:
            label = "".join(self.link_text).strip()
            if self.href.startswith(("http:", "https:")) and self.href != label:
                self.parts.append(f" ({self.href})")
            self.href = None
        elif tag in self.BREAKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        text = re.sub(r"\s+", " ", data)
        if self.href is not None:
            self.link_text.append(text)
        self.parts.append(text)


def html_to_text(html: str) -> str:
    maker = _TextMaker()
    maker.feed(html)
    maker.close()
    lines = [line.strip() for line in "".join(maker.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def text_to_html(text: str) -> str:
    """Plain text (e.g. from the API or an old draft) as simple paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return "".join("<p>" + escape(p, quote=False).replace("\n", "<br>") + "</p>"
                   for p in paragraphs)


# --- links ------------------------------------------------------------------------------
_HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")', re.I)
_MEDIA_SRC = re.compile(r'(\bsrc=")(/media/[^"]*)(")')


def find_links(html: str) -> list[str]:
    """http(s) link targets in ``html``, in order, once each."""
    urls = (_unescape_attr(href) for href in hrefs(html))
    return list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))


def hrefs(html: str) -> list[str]:
    """Every link address in ``html`` as written (merge tags included)."""
    return [match.group(2) for match in _HREF.finditer(html)]


def _unescape_attr(value: str) -> str:
    return value.replace("&amp;", "&").replace("&quot;", '"')


def replace_links(html: str, mapping: dict[str, str]) -> str:
    def swap(match):
        url = _unescape_attr(match.group(2))
        if url in mapping:
            return match.group(1) + escape(mapping[url]) + match.group(3)
        return match.group(0)

    return _HREF.sub(swap, html)


# --- the whole message ------------------------------------------------------------------
_layout_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
#: what a theme value may be inside a CSS declaration: names, quoted names, commas, #colours
_CSS_VALUE = re.compile(r"""^[\w #.,'"-]+$""")


def css_value(value: str, fallback: str) -> Markup:
    """A theme value for the layout's <style> sheet. HTML escaping would turn the quotes of
    ``Georgia, 'Times New Roman', serif`` into ``&#39;`` and break the whole sheet, so values
    go in unescaped, and only when they cannot leave their declaration (no ``;``, braces,
    ``<`` or backslash); anything else falls back to the default look."""
    value = value or ""
    quotes_closed = value.count("'") % 2 == 0 and value.count('"') % 2 == 0
    return Markup(value if _CSS_VALUE.match(value) and quotes_closed else fallback)  # nosec B704


_CSS_FIELDS = ("font_family", "primary_color", "text_color", "background_color")


def render(content: Content, style: Style, data: dict, links: Links,
           track: Callable[[list[str]], dict[str, str]] | None = None) -> Rendered:
    """Subject, inlined HTML and text for one recipient. ``track`` maps the body's link
    targets to tracked URLs (None: links stay as they are, e.g. tracking opt-out). Bulk
    sending gets the same result faster from prerendering.py. The merge tags of all three
    parts share one budget (sandbox.MESSAGE)."""
    with sandbox.spending():
        subject = merge(content.subject, data, html=False)
        body = merge(content.body_html, data, html=True)
        text = merge(content.body_text, data, html=False) if content.body_text.strip() \
            else html_to_text(body)
    targets = find_links(body)
    mapping = track(targets) if track and targets else {}
    body, text = track_links(body, text, mapping)
    html = css_inline.inline(layout(body, subject, style, links, content.language,
                                    content.preheader),
                             keep_at_rules=True, load_remote_stylesheets=False)
    return Rendered(subject=subject, html=html,
                    text=text.rstrip() + "\n\n" + footer_text(style, links, content.language),
                    links=targets)


def track_links(body: str, text: str, mapping: dict[str, str]) -> tuple[str, str]:
    """The HTML and text with each target in ``mapping`` swapped for its tracked URL."""
    if mapping:
        body = replace_links(body, mapping)
        for url in sorted(mapping, key=len, reverse=True):
            text = re.sub(re.escape(url) + r"(?![\w/?#&=%.~+-])", lambda _, u=url: mapping[u],
                          text)
    return body, text


#: the message's own background, inside the theme's background
CONTAINER = "#ffffff"


def layout_css(style: Style) -> dict[str, str]:
    """The theme's values for the layout's sheet, and the colours of the small print: the
    "view in browser" line sits on the theme's background (dark themes too) and the footer
    on the message's, each at 4.5:1 or more (WCAG 1.4.3)."""
    css = {name: css_value(getattr(style, name), getattr(Style, name)) for name in _CSS_FIELDS}
    outside = str(css["background_color"])
    outside = outside if colours.COLOUR.match(outside) else Style.background_color
    css.update(container=CONTAINER,
               preheader_text=colours.readable_on(outside, "#4b5563"),
               preheader_link=colours.readable_on(outside, "#374151"),
               footer_text=colours.readable_on(CONTAINER, "#6b7280"),
               footer_link=colours.readable_on(CONTAINER, "#4b5563"))
    return css


def layout(body: str, subject: str, style: Style, links: Links, language: str,
           preheader: str = "") -> str:
    """The body in the theme's layout, before CSS inlining, with the preheader first."""
    if links.base_url:
        body = _MEDIA_SRC.sub(lambda m: m.group(1) + links.base_url + m.group(2)
                              + m.group(3), body)
    # mail clients (and spam filters judging text contrast) read bgcolor, not just CSS
    body = body.replace('class="nl-button"',
                        f'class="nl-button" bgcolor="{escape(style.primary_color)}"')
    html = _layout_env.get_template("layout.html").render(
        # the body was sanitized by the allow-list at save and its merge output escaped
        subject=subject, body=Markup(body),  # nosec B704
        style=style, links=links, language=language, _=translator(language),
        css=layout_css(style))
    return with_preheader(html, preheader)


_BODY_OPEN = re.compile(r"<body[^>]*>", re.I)
#: hidden everywhere (Outlook: mso-hide), but read by inboxes as the preview line; the
#: padding keeps the body's first words out of that line after a short preheader
PREHEADER = ('<div class="nl-preheader" style="display:none;font-size:1px;line-height:1px;'
             'max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all">{text}'
             '{padding}</div>')


def with_preheader(html: str, preheader: str) -> str:
    """The preheader as the first text of the body, escaped (composer.clean_preheader
    keeps merge syntax out of it: prerendering compiles the laid-out message)."""
    text = str(escape(" ".join((preheader or "").split())))
    if not text:
        return html
    block = PREHEADER.format(text=text, padding="&#847;&zwnj;&nbsp;" * 20)
    match = _BODY_OPEN.search(html)
    return html[:match.end()] + block + html[match.end():] if match else block + html


def footer_text(style: Style, links: Links, language: str = "en") -> str:
    """The plain-text footer, in the content's language."""
    return _layout_env.get_template("footer.txt").render(style=style, links=links,
                                                          _=translator(language))


def prepare(body_html: str, body_text: str | None, subject: str, where: str = "") -> Content:
    """What the composer saves: sanitized HTML and its text alternative (generated unless
    given), with every merge tag checked, all within one budget (sandbox.CHECK). Raises
    RenderError."""
    prefix = f"{where} " if where else ""
    subject_where, content_where, text_where = (
        prefix + gettext("Subject"), prefix + gettext("Content"), prefix + gettext("Plain text"))
    if CONTROL.search(subject):
        raise RenderError(gettext("%(where)s: a subject cannot contain line breaks or control "
                                  "characters.", where=subject_where))
    with sandbox.spending(sandbox.CHECK):
        try:
            clean = markup.safe_template(body_html or "")
        except RenderError as exc:
            raise RenderError(f"{content_where}: {exc}") from exc
        text = body_text if body_text and body_text.strip() else html_to_text(clean)
        check_merge_tags(subject, subject_where, html=False)
        check_merge_tags(clean, content_where)
        check_merge_tags(text, text_where, html=False)
    return Content(subject=subject, body_html=clean, body_text=text)
