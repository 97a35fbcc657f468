"""A real webhook receiver (an HTTP server on 127.0.0.1 that checks every signature with
the endpoint's secret, as an integrator's would) and an app that may reach it."""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import WebhookEndpoint
from newsletter.webhooks import endpoints, signing


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    signed: bool  # the signature checked out with the secret and the clock

    @property
    def document(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """Answers each POST with the next of ``answers`` ((status, body, headers)), then 200."""

    def __init__(self):
        self.requests: list[Received] = []
        self.answers: list[tuple[int, str, dict]] = []
        self.secret = ""
        self.delay = 0.0  # seconds before answering
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signed = signing.verify(receiver.secret, self.headers.get(signing.HEADER, ""),
                                        body, time.time())
                receiver.requests.append(Received(self.path, dict(self.headers), body,
                                                  signed))
                time.sleep(receiver.delay)
                status, text, headers = receiver.answers.pop(0) if receiver.answers \
                    else (200, "thanks", {})
                data = text.encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config):
    app_config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_RETRY_INTERVALS=[0, 0],
                      WEBHOOK_TIMEOUT=3.0)
    return app_config


@pytest.fixture
def endpoint(app, receiver):
    """An endpoint for every event at the receiver, which knows its secret."""
    def make(events=None, url=None) -> WebhookEndpoint:
        from newsletter.webhooks.events import EVENTS

        new = endpoints.create_endpoint(db.session, None, "CRM", url or receiver.url,
                                        list(events or EVENTS), allow_private=True)
        db.session.commit()
        receiver.secret = new.secret
        return new.endpoint

    return make


def events_received(receiver) -> list[str]:
    return [r.document["event"] for r in receiver.requests]


def endpoint_row(endpoint_id: int) -> WebhookEndpoint:
    db.session.expire_all()
    return db.session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id))
