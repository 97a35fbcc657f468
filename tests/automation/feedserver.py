"""A real local HTTP server for feeds: RSS and Atom documents with ETag and Last-Modified
(answering 304 to a matching conditional request), and whatever else a test puts in
``pages``; it records each request's headers."""

import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


class FeedServer:
    def __init__(self):
        self.pages: dict[str, tuple[int, bytes, dict]] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append((self.path, dict(self.headers)))
                status, body, headers = server.pages.get(self.path, (404, b"not found", {}))
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                self.send_response(status)
                for key, value in {"Content-Type": "application/xml", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, body, status: int = 200, **headers) -> str:
        self.pages[path] = (status, body.encode() if isinstance(body, str) else body,
                            {k.replace("_", "-"): v for k, v in headers.items()})
        return self.base + path

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def rss(items: list[dict]) -> str:
    """items: title, link, summary, guid, day (YYYY-MM-DD), image (optional)."""
    entries = "".join(
        f"<item><title>{escape(i['title'])}</title><link>{escape(i['link'])}</link>"
        f"<description>{escape(i.get('summary', ''))}</description>"
        f"<guid>{escape(i['guid'])}</guid>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(i['day']).replace(tzinfo=UTC))}"
        f"</pubDate>"
        + (f'<enclosure url="{escape(i["image"])}" type="image/jpeg" length="1"/>'
           if i.get("image") else "") + "</item>"
        for i in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Site news</title><link>https://example.com/</link>{entries}"
            "</channel></rss>")


def atom(items: list[dict]) -> str:
    entries = "".join(
        f"<entry><title>{escape(i['title'])}</title><id>{escape(i['guid'])}</id>"
        f'<link href="{escape(i["link"])}"/><updated>{i["day"]}T08:00:00Z</updated>'
        f"<summary>{escape(i.get('summary', ''))}</summary></entry>"
        for i in items)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Events</title><id>urn:events</id><updated>2026-11-01T00:00:00Z</updated>"
            f"{entries}</feed>")
