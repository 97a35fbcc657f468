"""Bulk rendering: a campaign's message is laid out and CSS-inlined once per language and
link shape, with every merge tag, tracked link and personal link left in place as a slot;
per recipient one Jinja render fills the slots. The result is what rendering.render gives
the same recipient (tests compare the two). Content the shortcut cannot reproduce exactly
(a merge tag inside a link address, or one marked ``safe``) is left to rendering.render:
``prepare`` returns None for it."""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import css_inline
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import rendering

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_JINJA_OPENERS = ("{{", "{%", "{#")
# the filled-in templates keep their last newline, as the layout does
_html_env = ImmutableSandboxedEnvironment(autoescape=True, keep_trailing_newline=True)
_text_env = ImmutableSandboxedEnvironment(autoescape=False, keep_trailing_newline=True)


@dataclass(frozen=True)
class Shape:
    """What decides a message's layout besides the content: its language, whether its
    links are tracked, and which personal links it carries."""

    language: str | None
    tracked: bool
    profile: bool
    open_pixel: bool


class _Slots:
    """Unique words standing in for Jinja source while the HTML is parsed, laid out and
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


@dataclass(frozen=True)
class Prepared:
    """One campaign language and shape, ready to fill for each recipient."""

    content: rendering.Content
    html: object  # compiled jinja2 templates
    text: object
    targets: list[str]  # the body's link targets, in order
    link_ids: list[int]  # their link rows (tracked shapes only)

    def fill(self, data: dict, links: rendering.Links, click_urls: list[str]) -> \
            rendering.Rendered:
        """The recipient's message; ``click_urls`` are the tracked URLs of ``link_ids``
        (made by string formatting from the message's one token: no signing per link)."""
        subject = rendering.merge(self.content.subject, data, html=False)
        values = {k: v for k, v in data.items() if v not in (None, "")}
        values.update(nl_subject=subject, nl_unsubscribe=links.unsubscribe,
                      nl_profile=links.profile, nl_webview=links.webview,
                      nl_pixel=links.open_pixel, nl_link=click_urls)
        try:
            html, text = self.html.render(values), self.text.render(values)
        except Exception as exc:  # validated at save; a runtime error must not stop a send
            raise rendering.RenderError(f"Merge tags could not be rendered: {exc}") from exc
        return rendering.Rendered(subject=subject, html=html, text=text, links=self.targets)


def prepare(content: rendering.Content, style: rendering.Style, shape: Shape, base_url: str,
            link_ids: Callable[[list[str]], dict[str, int]]) -> Prepared | None:
    """Lay out and inline ``content`` once for ``shape``; ``link_ids`` gives the link rows
    of tracked targets. None: render each message with rendering.render instead."""
    slots = _Slots()
    body = slots.protect(content.body_html)
    if any("safe" in source for source in slots.sources) or any(
            slots.prefix in href for href in rendering.hrefs(body)):
        return None
    text = slots.protect(content.body_text) if content.body_text.strip() \
        else rendering.html_to_text(body)
    targets = rendering.find_links(body)
    ids = link_ids(targets) if shape.tracked and targets else {}
    mapping = {url: slots.add(f"{{{{ nl_link[{n}] }}}}") for n, url in enumerate(targets)
               if url in ids}
    links = rendering.Links(
        unsubscribe=slots.add("{{ nl_unsubscribe }}"),
        profile=slots.add("{{ nl_profile }}") if shape.profile else None,
        webview=slots.add("{{ nl_webview }}"),
        open_pixel=slots.add("{{ nl_pixel }}") if shape.open_pixel else None,
        base_url=base_url)
    body, text = rendering.track_links(body, text, mapping)
    html = rendering.layout(body, slots.add("{{ nl_subject }}"), style, links,
                            content.language)
    html = css_inline.inline(html, keep_at_rules=True, load_remote_stylesheets=False)
    text = text.rstrip() + "\n\n" + rendering.footer_text(style, links)
    html_source, text_source = slots.restore(html), slots.restore(text)
    if html_source is None or text_source is None:
        return None
    return Prepared(content=content, html=_html_env.from_string(html_source),
                    text=_text_env.from_string(text_source), targets=targets,
                    link_ids=[ids[url] for url in targets if url in ids])

