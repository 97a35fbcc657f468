"""The sending domain's website (seed 004, 3.1.1-3.1.2): it answers, shows contact details
and has a privacy policy page. Pages are fetched with a time and size limit, through the
configured resolver, never from a private, loopback or link-local address (only an
explicit test setting, WEB_CHECK_ALLOW_PRIVATE, relaxes that), through the platform's
SSRF-safe fetcher (``platform.safefetch``); redirects are followed a few times, each
target checked again."""

import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from flask import current_app

from newsletter.models import SenderIdentity
from newsletter.platform import safefetch
from newsletter.sending.messages import domain_of

from . import dnscheck
from .items import BLOCKING, OK, WARNING, Item
from .unsubscribe import fold

MAX_REDIRECTS = 3
CONTACT_WORDS = re.compile(r"\b(contact|kontakt|impressum|imprint|o nas|about us)")
PHONE = re.compile(r"\+?\d[\d ()/-]{7,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PRIVACY_WORDS = re.compile(
    r"privacy|personal data|gdpr|osobn\w* udaj|ochrana udaj|datenschutz|zasebnost|"
    r"osebn\w* podatk|zasady zpracovani")


FetchError = safefetch.FetchError


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


def _resolve(host: str) -> list[str]:
    """The host's addresses from the configured resolver (DNS_NAMESERVERS)."""
    r = dnscheck.resolver()
    return dnscheck.lookup(r, host, "A") or dnscheck.lookup(r, host, "AAAA")


def _get(url: str, deadline: float) -> tuple[int, str | None, bytes]:
    answer = safefetch.request(
        "GET", url, deadline=deadline, max_bytes=int(current_app.config["WEB_CHECK_MAX_BYTES"]),
        allow_private=current_app.config["WEB_CHECK_ALLOW_PRIVATE"], resolve=_resolve,
        headers={"User-Agent": "newsletter-domain-check", "Accept": "text/html"})
    return answer.status, answer.location, answer.body


def fetch(url: str) -> Page:
    deadline = time.monotonic() + float(current_app.config["WEB_CHECK_TIMEOUT"])
    for _ in range(MAX_REDIRECTS + 1):
        status, location, body = _get(url, deadline)
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        parser = _PageParser(url)
        parser.feed(body.decode("utf-8", "replace"))
        return Page(url, status, fold(" ".join(parser.text)), parser.links)
    raise FetchError(f"{url} redirects too often.")


def website_items(sender: SenderIdentity) -> list[Item]:
    domain = domain_of(sender.from_email)
    home_url = sender.website_url or f"https://{domain}/"
    try:
        home = fetch(home_url)
    except (FetchError, dnscheck.LookupFailed) as exc:
        return [Item("website", BLOCKING, f"No working website at {home_url}: {exc}")]
    if home.status != 200:
        return [Item("website", BLOCKING, f"The website {home_url} answers {home.status}.")]
    items = [Item("website", OK, f"The website {home_url} works.")]
    items.append(_page_item("contact", sender.contact_url, home, _has_contact,
                            CONTACT_WORDS, "contact details"))
    items.append(_page_item("privacy", sender.privacy_url, home, _is_privacy,
                            PRIVACY_WORDS, "a privacy policy"))
    return items


def _has_contact(page: Page) -> bool:
    return bool(EMAIL.search(page.text) or PHONE.search(page.text))


def _is_privacy(page: Page) -> bool:
    return bool(PRIVACY_WORDS.search(page.text))


def _page_item(key, url, home: Page, test, words, what: str) -> Item:
    """The configured page, else a link of the home page whose text names it, else the
    home page itself."""
    if not url:
        url = next((href for href, text in home.links if words.search(text)), None)
    try:
        page = fetch(url) if url else home
    except (FetchError, dnscheck.LookupFailed) as exc:
        return Item(key, WARNING, f"The page with {what} could not be read: {exc}")
    if page.status == 200 and test(page):
        return Item(key, OK, f"{what.capitalize()} found at {page.url}.")
    return Item(key, WARNING, f"No {what} found on the website ({page.url}).")
