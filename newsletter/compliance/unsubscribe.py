"""The unsubscribe-link check (seed 004, 3.3.1): only the platform's own link counts. Every
message's footer carries it (content.rendering's layout), so a campaign without one in its
content still gets it, appended in the footer; a link that only looks like an unsubscribe
link (to another site, or a mailto) does not count and is named to the editor."""

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

#: words of an unsubscribe link in the five languages (diacritics removed, lower case)
WORDS = re.compile(
    r"unsubscrib|opt[ -]?out|odhlas|odhlás|abmeld|abbestell|austragen|odjav|odjava|"
    r"remove me|odber zrusit|zrusit odber")
URL = re.compile(r"(?:https?://|mailto:)[^\s<>\"')]+", re.I)


def fold(text: str) -> str:
    """Lower case without diacritics (odhlásiť -> odhlasit)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class LinkSeen:
    href: str
    text: str


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[LinkSeen] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append(LinkSeen(self._href, "".join(self._text).strip()))
            self._href = None


def links_of(body_html: str, body_text: str) -> list[LinkSeen]:
    """The links of the content: anchors of the HTML with their text, and the URLs of the
    plain text that the HTML does not have, with the few words before them."""
    parser = _Links()
    parser.feed(body_html or "")
    found = list(parser.links)
    known = {link.href for link in found}
    for match in URL.finditer(body_text or ""):
        if match.group() not in known:
            before = (body_text or "")[max(0, match.start() - 30):match.start()]
            found.append(LinkSeen(match.group(), before.splitlines()[-1] if before else ""))
    return found


def is_platform_link(href: str, base_url: str) -> bool:
    """The platform's own unsubscribe page: ``<BASE_URL>/u/<token>``."""
    base, link = urlsplit(base_url), urlsplit(href)
    return (link.scheme in ("http", "https") and link.netloc.lower() == base.netloc.lower()
            and link.path.startswith(base.path.rstrip("/") + "/u/"))


def look_alikes(body_html: str, body_text: str, base_url: str) -> list[LinkSeen]:
    """Links that read like unsubscribe links but are not the platform's own."""
    return [link for link in links_of(body_html, body_text)
            if WORDS.search(fold(f"{link.href} {link.text}"))
            and not is_platform_link(link.href, base_url)]
