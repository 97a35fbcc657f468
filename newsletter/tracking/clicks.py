"""Click (and optional open) tracking. Every message carries one signed message token
(payload ``[campaign_id, delivery_id]``, made once per message); a link in it becomes
``/c/<message token>/<link number>``, the link number being the ``link`` row's id. The
target lives in that row, and a link of another campaign is refused, so nothing to
redirect to can be forged or borrowed. The same token serves the open pixel
(``/o/<message token>.gif``) and the web view (``/m/<message token>``).

The click endpoint answers with the redirect at once and pushes the event onto a Redis
list; an RQ job drains the list into ``click`` rows in batches (and one ``clicked``
webhook per batch)."""

import re
import time
from datetime import UTC, datetime
from html import escape as html_escape

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from newsletter import queue
from newsletter.models import Click, Contact, Delivery, Link
from newsletter.platform import tokens
from newsletter.platform.tokens import Purpose
from newsletter.webhooks import events
from newsletter.webhooks import outbox as webhooks

EVENTS_KEY = "newsletter:tracking:events"
#: set while a drain job is queued or running, so the endpoint enqueues one job, not one
#: per click; expires in case a job is lost
DRAIN_GATE_KEY = "newsletter:tracking:drain-gate"
DRAIN_GATE_SECONDS = 300
DRAIN_BATCH = 1000
RETRY_EVERY = 1000
TARGET_CACHE_SIZE = 10_000


class UnknownLink(tokens.InvalidToken):
    pass


# --- links in messages ------------------------------------------------------------------
def links_for(session, campaign_id: int, urls: list[str],
              create: bool = True) -> dict[str, int]:
    """Link ids for the campaign's targets, creating the rows that are missing (workers
    may race: the unique constraint decides, the loser reads the winner's row). Link rows
    never change, so the ids are remembered for the session (one sending job). With
    ``create=False`` (a page shown on GET) missing targets are left out instead."""
    known = session.info.setdefault(("link_ids", campaign_id), {})
    missing = [u for u in urls if u not in known]
    if not missing:
        return {u: known[u] for u in urls}
    found = dict(session.execute(
        select(Link.url, Link.id).where(Link.campaign_id == campaign_id,
                                        Link.url.in_(missing))
    ).all())
    for url in missing:
        if url in found or not create:
            continue
        try:
            with session.begin_nested():
                link = Link(campaign_id=campaign_id, url=url)
                session.add(link)
            found[url] = link.id
        except IntegrityError:
            found[url] = session.scalar(
                select(Link.id).where(Link.campaign_id == campaign_id, Link.url == url))
    known.update(found)
    return {u: known[u] for u in urls if u in known}


def message_token(campaign_id: int, delivery_id: int) -> str:
    """The one signed token of a message: its click links, open pixel and web view carry it."""
    return tokens.signer(Purpose.MESSAGE).dumps([campaign_id, delivery_id])


def read_message_token(token: str) -> tuple[int, int]:
    """(campaign_id, delivery_id) of a message token; InvalidToken when it is not one."""
    payload = tokens.verify(Purpose.MESSAGE, token)
    if not (isinstance(payload, list) and len(payload) == 2
            and all(type(v) is int for v in payload)):
        raise tokens.InvalidToken()
    return payload[0], payload[1]


def click_url(base_url: str, token: str, link_id: int) -> str:
    return f"{base_url}/c/{token}/{link_id}"


def click_urls(base_url: str, token: str, link_ids: list[int]) -> list[str]:
    """The tracked URLs of one message's links: its message token and each link's number."""
    prefix = f"{base_url}/c/{token}/"
    return [prefix + str(link_id) for link_id in link_ids]


def tracker(session, campaign_id: int, token: str, base_url: str, create: bool = True):
    """The ``track`` callable rendering.render wants: targets -> click URLs of the message
    whose token is ``token``. ``create=False``: targets without a link row stay untracked
    (the web view, a GET, writes nothing)."""

    def track(urls: list[str]) -> dict[str, str]:
        ids = links_for(session, campaign_id, urls, create)
        return {url: click_url(base_url, token, ids[url]) for url in urls if url in ids}

    return track


def open_pixel_url(base_url: str, token: str) -> str:
    return f"{base_url}/o/{token}.gif"


# --- the endpoint -----------------------------------------------------------------------
def resolve_click(session, token: str, link_id: int, cache: dict) -> tuple[str, int]:
    """(target, delivery_id) for a click on link ``link_id`` of the message ``token``;
    InvalidToken when the token was tampered with, UnknownLink when the link is gone or
    belongs to another campaign. Link rows never change, so their campaign and target are
    cached (``cache`` is per app and process)."""
    campaign_id, delivery_id = read_message_token(token)
    known = cache.get(link_id)
    if known is None:
        row = session.execute(
            select(Link.campaign_id, Link.url).where(Link.id == link_id)).first()
        if row is None:
            raise UnknownLink()
        if len(cache) >= TARGET_CACHE_SIZE:
            cache.clear()
        cache[link_id] = known = (row[0], row[1])
    if known[0] != campaign_id:
        raise UnknownLink()
    return known[1], delivery_id


def untracked(session, content: str, base_url: str, html: bool) -> str:
    """A sent message for its sender's eyes (the dev outbox): tracked links lead straight
    to their targets and the open pixel is gone, so reading it and following its links
    counts no open and no click for the recipient."""
    clicks = re.compile(re.escape(base_url) + r"/c/([A-Za-z0-9_.=-]+)/(\d{1,10})\b")
    cache: dict = {}

    def target(match) -> str:
        try:
            url, _ = resolve_click(session, match.group(1), int(match.group(2)), cache)
        except tokens.InvalidToken:  # UnknownLink too: left as it is
            return match.group(0)
        return html_escape(url) if html else url

    if html:
        content = re.sub(r"<img\b[^>]*\bsrc=\"" + re.escape(base_url) + r"/o/[^\"]*\"[^>]*>",
                         "", content)
    return clicks.sub(target, content)


def verify_open(token: str) -> int:
    """The delivery an open pixel's message token names."""
    return read_message_token(token)[1]


def push_event(redis, kind: str, link_id: int, delivery_id: int) -> None:
    """Queue one click (``c``) or open (``o``): one Redis round trip. The event that finds
    the list empty (and every RETRY_EVERY-th, in case a drain job was lost) makes sure a
    drain job is on its way; the gate keeps that to one job at a time."""
    length = redis.rpush(EVENTS_KEY, f"{kind}:{link_id}:{delivery_id}:{time.time():.3f}")
    if (length == 1 or length % RETRY_EVERY == 0) and redis.set(
            DRAIN_GATE_KEY, 1, nx=True, ex=DRAIN_GATE_SECONDS):
        enqueue_drain()


def enqueue_drain() -> None:
    """The job is ``newsletter.jobs.record_click_events`` (named: this layer is below it)."""
    queue.enqueue(queue.TRACKING, "newsletter.jobs.record_click_events", job_timeout=300)


# --- the recording job ------------------------------------------------------------------
def _parse(raw: bytes):
    kind, link_id, delivery_id, ts = raw.decode().split(":")
    when = datetime.fromtimestamp(float(ts), UTC).replace(tzinfo=None)
    return kind, int(link_id), int(delivery_id), when


def record_batch(session, redis, batch: int = DRAIN_BATCH) -> int:
    """Move up to ``batch`` events from Redis into the database; returns how many. The
    events leave Redis only after the commit, so a crash records them on the next run."""
    raw = redis.lrange(EVENTS_KEY, 0, batch - 1)
    if not raw:
        return 0
    events = [_parse(r) for r in raw]
    clicks = [e for e in events if e[0] == "c"]
    link_ids = {e[1] for e in clicks}
    delivery_ids = {e[2] for e in events}
    known_links = set(session.scalars(select(Link.id).where(Link.id.in_(link_ids))))
    deliveries = dict(session.execute(
        select(Delivery.id, Contact.tracking_opt_out)
        .outerjoin(Contact, Contact.id == Delivery.contact_id)
        .where(Delivery.id.in_(delivery_ids))).all())
    # a contact who opted out after the message went out is not tracked either
    events = [e for e in events if not deliveries.get(e[2])]
    clicks = [e for e in events if e[0] == "c"]
    rows = [{"link_id": link, "delivery_id": d if d in deliveries else None,
             "clicked_at": when} for _, link, d, when in clicks if link in known_links]
    if rows:
        session.execute(insert(Click), rows)
        _emit_clicks(session, rows)
    for _, _, delivery_id, when in (e for e in events if e[0] == "o"):
        session.execute(update(Delivery).where(
            Delivery.id == delivery_id, Delivery.opened_at.is_(None)).values(opened_at=when))
    session.commit()
    redis.ltrim(EVENTS_KEY, len(raw), -1)
    return len(raw)


def _emit_clicks(session, rows: list[dict]) -> None:
    """One ``clicked`` webhook per recorded batch (not one per click), listing them all."""
    if not webhooks.subscribed(session, events.CLICKED):
        return
    urls = dict(session.execute(select(Link.id, Link.url).where(
        Link.id.in_({r["link_id"] for r in rows}))).all())
    recipients = {row.id: row for row in session.execute(
        select(Delivery.id, Delivery.campaign_id, Delivery.contact_id, Delivery.address)
        .where(Delivery.id.in_({r["delivery_id"] for r in rows if r["delivery_id"]})))}
    clicks = []
    for r in rows:
        recipient = recipients.get(r["delivery_id"])
        clicks.append({"url": urls[r["link_id"]], "link_id": r["link_id"],
                       "clicked_at": r["clicked_at"].isoformat(timespec="seconds") + "Z",
                       "delivery_id": r["delivery_id"],
                       "campaign_id": recipient.campaign_id if recipient else None,
                       "contact_id": recipient.contact_id if recipient else None,
                       "address": recipient.address if recipient else None})
    webhooks.emit(session, events.CLICKED, {"clicks": clicks})


def record_events(session, redis) -> int:
    total = 0
    while count := record_batch(session, redis):
        total += count
    queue.close_drain(redis, EVENTS_KEY, DRAIN_GATE_KEY, DRAIN_GATE_SECONDS, enqueue_drain)
    return total
