"""Feed-driven series: the RSS or Atom feed of a series (feedparser) is fetched through the
safe fetcher (``compliance.safefetch``: no private address unless the owner allowed the
feed's host, time and size limits, each redirect checked again), conditionally (ETag,
Last-Modified); the items not sent before fill the run's content (title, summary, link,
image, date); nothing new means no run. ``preview`` shows the next issue without
remembering anything.

Feed text is data, never template code: tags are stripped, braces replaced, so nothing
from a feed can become a merge tag when each message is rendered."""

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import bleach
import feedparser
from flask import current_app
from flask_babel import gettext

from newsletter.compliance import dnscheck, safefetch
from newsletter.content import composer
from newsletter.errors import DomainError
from newsletter.models import Campaign, RecurringSeries

#: a text block reading this is where the items go (else after the template's blocks)
MARKER = "[feed items]"
SEEN_KEPT = 500
SUMMARY_CHARS = 600


class FeedError(DomainError):
    """The feed could not be read or is not a feed; the message says why."""


@dataclass
class Item:
    key: str  # what marks it as sent: the entry's id, else its link, else its title
    title: str
    summary: str
    link: str
    image: str
    published: datetime | None


@dataclass
class Fetched:
    items: list[Item]
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError(gettext("The feed's address must start with http:// or https://."))
    return url


def fetch(series: RecurringSeries, conditional: bool = True) -> Fetched:
    """The feed's items (newest first, as the feed lists them), or ``not_modified`` when
    the server says nothing changed since the validators we kept."""
    config = current_app.config
    headers = {"User-Agent": "newsletter-feed",
               "Accept": "application/rss+xml, application/atom+xml, application/xml, "
                         "text/xml;q=0.9, */*;q=0.1"}
    if conditional and series.feed_etag:
        headers["If-None-Match"] = series.feed_etag
    if conditional and series.feed_last_modified:
        headers["If-Modified-Since"] = series.feed_last_modified
    allowed = urlsplit(series.feed_url).hostname if series.feed_allow_private else None
    try:
        response = safefetch.get(series.feed_url, timeout=float(config["FEED_TIMEOUT"]),
                                 max_bytes=int(config["FEED_MAX_BYTES"]), headers=headers,
                                 allow_private_host=allowed)
    except (safefetch.FetchError, dnscheck.LookupFailed) as exc:
        raise FeedError(gettext("The feed could not be read: %(error)s", error=exc)) from None
    if response.status == 304:
        return Fetched([], not_modified=True, etag=series.feed_etag,
                       last_modified=series.feed_last_modified)
    if response.status != 200:
        raise FeedError(gettext("The feed could not be read: %(url)s answers %(status)s.",
                                url=response.url, status=response.status))
    parsed = feedparser.parse(response.body)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise FeedError(gettext("The feed could not be read: it is not an RSS or Atom feed."))
    return Fetched([_item(e) for e in parsed.entries],
                   etag=(response.headers.get("etag") or "")[:300] or None,
                   last_modified=(response.headers.get("last-modified") or "")[:100] or None)


def new_items(series: RecurringSeries, fetched: Fetched) -> list[Item]:
    """The items not sent before, at most FEED_MAX_ITEMS of the newest."""
    seen = set(series.feed_seen or [])
    fresh = [i for i in fetched.items if i.key and i.key not in seen]
    return fresh[:int(current_app.config["FEED_MAX_ITEMS"])]


def remember(series: RecurringSeries, fetched: Fetched, sent: list[Item]) -> None:
    """Keep the validators and, when a run went out, the items it carried."""
    series.feed_etag, series.feed_last_modified = fetched.etag, fetched.last_modified
    if sent:
        series.feed_seen = ([i.key for i in sent] + list(series.feed_seen or []))[:SEEN_KEPT]


def fill(run: Campaign, items: list[Item]) -> None:
    """The run's content: the template's blocks with the items where the marker block is
    (or after the blocks), sanitized and checked as the composer saves any draft."""
    blocks = issue_blocks(run.blocks or [], items)
    clean, content = composer.prepare_content(run.subject, blocks, None)
    run.blocks, run.body_html, run.body_text = clean, content.body_html, content.body_text
    run.text_edited = False


def issue_blocks(template_blocks: list[dict], items: list[Item]) -> list[dict]:
    item_blocks = [block for item in items for block in _item_blocks(item)]
    for index, block in enumerate(template_blocks):
        if block.get("type") == "text" and _plain(block.get("text", "")) == MARKER:
            return [*template_blocks[:index], *item_blocks, *template_blocks[index + 1:]]
    return [*template_blocks, *item_blocks]


def _item_blocks(item: Item) -> list[dict]:
    title = html.escape(item.title or item.link or "Untitled", quote=False)
    heading = f'<a href="{html.escape(item.link)}">{title}</a>' if item.link else title
    parts = [f"<h2>{heading}</h2>"]
    if item.published:
        parts.append(f"<p><small>{item.published:%Y-%m-%d}</small></p>")
    if item.summary:
        parts.append(f"<p>{html.escape(item.summary, quote=False)}</p>")
    blocks = [{"type": "text", "text": "".join(parts)}]
    if item.image:
        blocks.append({"type": "image", "url": item.image, "label": item.title[:200],
                       "text": item.link})
    blocks.append({"type": "divider"})
    return blocks


def _plain(text: str) -> str:
    """Text without tags or template braces, whitespace collapsed."""
    text = html.unescape(bleach.clean(text or "", tags=set(), strip=True))
    return re.sub(r"\s+", " ", text.replace("{", "(").replace("}", ")")).strip()


def _url(value: str) -> str:
    """An http(s) address, braces percent-encoded; anything else is dropped."""
    value = (value or "").strip()
    if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname:
        return ""
    return quote(value, safe=":/?#[]@!$&'()*+,;=%~-._")


def _image(entry) -> str:
    for media in (entry.get("media_content") or []) + (entry.get("media_thumbnail") or []):
        if _url(media.get("url", "")):
            return _url(media["url"])
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return _url(link.get("href", ""))
    return ""


def _item(entry) -> Item:
    link = _url(entry.get("link", ""))
    title = _plain(entry.get("title", ""))[:300]
    summary = _plain(entry.get("summary", ""))
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    published = datetime(*when[:6], tzinfo=UTC).replace(tzinfo=None) if when else None
    key = str(entry.get("id") or link or title)[:500]
    return Item(key=key, title=title, summary=summary, link=link, image=_image(entry),
                published=published)


@dataclass
class Preview:
    items: list[Item]
    body_html: str
    not_modified: bool = False


def preview(series: RecurringSeries) -> Preview:
    """The next issue as it would go now (fetched without validators, nothing kept)."""
    fetched = fetch(series, conditional=False)
    items = new_items(series, fetched)
    if not items:
        return Preview([], "")
    blocks = issue_blocks(series.template.blocks or [], items)
    _clean, content = composer.prepare_content(series.template.subject, blocks, None)
    return Preview(items, content.body_html)


def set_feed(series: RecurringSeries, url: str, allow_private: bool) -> None:
    """A new feed address (empty: not feed-driven). A changed address starts afresh:
    validators and the sent items are forgotten."""
    url = check_url(url) if url.strip() else None
    if url != series.feed_url:
        series.feed_etag = series.feed_last_modified = None
        series.feed_seen = []
    series.feed_url, series.feed_allow_private = url, bool(allow_private and url)
