"""Bulk rendering: a campaign's message is laid out and CSS-inlined once per language and
link shape, with every merge tag, tracked link and personal link left in place as a slot;
per recipient one Jinja render (the same sandbox and budget as rendering.render) fills the
slots. The result is what rendering.render gives the same recipient (tests compare the
two): both start from markup.safe_template. Content the shortcut cannot reproduce exactly
(a merge tag inside a link address) is left to rendering.render: ``prepare`` returns None
for it."""

from collections.abc import Callable
from dataclasses import dataclass

import css_inline
from flask_babel import gettext

from . import rendering, sandbox
from .markup import Slots, safe_template


@dataclass(frozen=True)
class Shape:
    """What decides a message's layout besides the content: its language, whether its
    links are tracked, and which personal links it carries."""

    language: str | None
    tracked: bool
    profile: bool
    open_pixel: bool


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
        with sandbox.spending():  # one budget for the whole message
            subject = rendering.merge(self.content.subject, data, html=False)
            values = {k: v for k, v in data.items() if v not in (None, "")}
            values.update(nl_subject=subject, nl_unsubscribe=links.unsubscribe,
                          nl_profile=links.profile, nl_webview=links.webview,
                          nl_pixel=links.open_pixel, nl_link=click_urls)
            try:
                html = sandbox.render(self.html, values)
                text = sandbox.render(self.text, values)
            except rendering.RenderError:
                raise
            except Exception as exc:  # validated at save; must not stop a send
                raise rendering.RenderError(gettext("Merge tags could not be rendered: "
                                                    "%(problem)s", problem=exc)) from exc
        return rendering.Rendered(subject=subject, html=html, text=text, links=self.targets)


def prepare(content: rendering.Content, style: rendering.Style, shape: Shape, base_url: str,
            link_ids: Callable[[list[str]], dict[str, int]]) -> Prepared | None:
    """Lay out and inline ``content`` once for ``shape``; ``link_ids`` gives the link rows
    of tracked targets. None: render each message with rendering.render instead."""
    slots = Slots()
    try:
        body = slots.protect(safe_template(content.body_html))
    except rendering.RenderError:
        return None  # the general renderer refuses it for each recipient, saying why
    if any(slots.prefix in href for href in rendering.hrefs(body)):
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
                            content.language, content.preheader)
    html = css_inline.inline(html, keep_at_rules=True, load_remote_stylesheets=False)
    text = text.rstrip() + "\n\n" + rendering.footer_text(style, links, content.language)
    html_source, text_source = slots.restore(html), slots.restore(text)
    if html_source is None or text_source is None:
        return None
    try:
        html_template = sandbox.compile_template(html_source, True, keep_trailing_newline=True)
        text_template = sandbox.compile_template(text_source, False, keep_trailing_newline=True)
    except rendering.RenderError:
        return None
    return Prepared(content=content, html=html_template, text=text_template, targets=targets,
                    link_ids=[ids[url] for url in targets if url in ids])

