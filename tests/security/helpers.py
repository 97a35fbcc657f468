"""What a browser would build from an HTML page, for asserting that nothing runs."""

from html.parser import HTMLParser

ACTIVE_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "form", "base", "meta"}


class Elements(HTMLParser):
    """Every element and attribute of a page, as a browser would tokenize it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.found}


def active_content(html: str, allowed: set[str] = frozenset()) -> list[str]:
    """Script, event handlers, javascript: addresses and other active elements in
    ``html`` (``allowed``: tags a page may have, e.g. the layout's <meta>; our own
    ``/static/`` scripts are always allowed)."""
    problems = []
    for tag, attrs in Elements(html).found:
        own_script = tag == "script" and attrs.get("src", "").startswith("/static/")
        if tag in ACTIVE_TAGS - set(allowed) and not own_script:
            problems.append(f"<{tag} {attrs}>")
        problems += [f"<{tag} {name}=...>" for name in attrs if name.startswith("on")]
        problems += [f"<{tag} {name}={value!r}>" for name, value in attrs.items()
                     if name in ("href", "src", "action", "formaction")
                     and value.strip().lower().startswith(("javascript:", "data:text"))]
    return problems
