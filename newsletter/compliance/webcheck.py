"""The sending domain's website (seed 004, 3.1.1-3.1.2): it answers, shows contact details
and has a privacy policy page. Pages are fetched through ``safefetch`` (time and size
limits, the configured resolver, never a private, loopback or link-local address, each
redirect checked again)."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from flask import current_app

from newsletter.models import SenderIdentity
from newsletter.sending.messages import domain_of
from newsletter.texts import N_, stored

from . import dnscheck, safefetch
from .items import BLOCKING, OK, WARNING, Item
from .safefetch import FetchError  # noqa: F401  (callers catch webcheck.FetchError)
from .unsubscribe import fold

CONTACT_WORDS = re.compile(r"\b(contact|kontakt|impressum|imprint|o nas|about us)")
PHONE = re.compile(r"\+?\d[\d ()/-]{7,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PRIVACY_WORDS = re.compile(
    r"privacy|personal data|gdpr|osobn\w* udaj|ochrana udaj|datenschutz|zasebnost|"
    r"osebn\w* podatk|zasady zpracovani")


@dataclass
class Page:
    url: str
    status: int
    text: str  # visible text, folded (lower case, no diacritics)
    links: list[tuple[str, str]]  # (absolute href, folded link text)


class _PageParser(HTMLParser):
    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base, self.text, self.links = base, [], []
        self._href, self._skip = None, 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a":
            self._href, self._link = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "a" and self._href is not None:
            self.links.append((urljoin(self.base, self._href), fold(" ".join(self._link))))
            self._href = None

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)
            if self._href is not None:
                self._link.append(data)


def fetch(url: str) -> Page:
    """One page through the safe fetcher (``safefetch``)."""
    response = safefetch.get(url, timeout=float(current_app.config["WEB_CHECK_TIMEOUT"]),
                             max_bytes=int(current_app.config["WEB_CHECK_MAX_BYTES"]),
                             headers={"User-Agent": "newsletter-domain-check",
                                      "Accept": "text/html"})
    parser = _PageParser(response.url)
    parser.feed(response.body.decode("utf-8", "replace"))
    return Page(response.url, response.status, fold(" ".join(parser.text)), parser.links)


def website_items(sender: SenderIdentity) -> list[Item]:
    domain = domain_of(sender.from_email)
    home_url = sender.website_url or f"https://{domain}/"
    try:
        home = fetch(home_url)
    except (FetchError, dnscheck.LookupFailed) as exc:
        return [Item("website", BLOCKING, stored(N_("No working website at %(url)s: %(error)s"),
                                                 url=home_url, error=exc))]
    if home.status != 200:
        return [Item("website", BLOCKING, stored(N_("The website %(url)s answers %(status)d."),
                                                 url=home_url, status=home.status))]
    items = [Item("website", OK, stored(N_("The website %(url)s works."), url=home_url))]
    items.append(_page_item("contact", sender.contact_url, home, _has_contact, CONTACT_WORDS))
    items.append(_page_item("privacy", sender.privacy_url, home, _is_privacy, PRIVACY_WORDS))
    return items


def _has_contact(page: Page) -> bool:
    return bool(EMAIL.search(page.text) or PHONE.search(page.text))


def _is_privacy(page: Page) -> bool:
    return bool(PRIVACY_WORDS.search(page.text))


#: what a page check says: (unreadable, found, not found), per page
PAGE_TEXTS = {
    "contact": (N_("The page with contact details could not be read: %(error)s"),
                N_("Contact details found at %(url)s."),
                N_("No contact details found on the website (%(url)s).")),
    "privacy": (N_("The privacy policy page could not be read: %(error)s"),
                N_("Privacy policy found at %(url)s."),
                N_("No privacy policy found on the website (%(url)s).")),
}


def _page_item(key, url, home: Page, test, words) -> Item:
    """The configured page, else a link of the home page whose text names it, else the
    home page itself."""
    if not url:
        url = next((href for href, text in home.links if words.search(text)), None)
    try:
        page = fetch(url) if url else home
    except (FetchError, dnscheck.LookupFailed) as exc:
        return Item(key, WARNING, stored(PAGE_TEXTS[key][0], error=exc))
    if page.status == 200 and test(page):
        return Item(key, OK, stored(PAGE_TEXTS[key][1], url=page.url))
    return Item(key, WARNING, stored(PAGE_TEXTS[key][2], url=page.url))
