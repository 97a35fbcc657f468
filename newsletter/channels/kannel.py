"""The HTTP SMS gateway in the Kannel ``sendsms`` style: each SMS is one HTTP GET of the
gateway's URL with the credentials (``user``, ``pass``), the parameters of the gateway's
URL (``smsc=...``, any other the gateway takes) and the message (``from``, ``to``,
``text`` in UTF-8, ``coding`` 0 for GSM-7 or 2 for UCS-2); the gateway splits and
concatenates the parts. A 2xx answer is acceptance; 401/403 means the gateway refuses our
credentials (unavailable: nobody's message can go), 400 refuses the message, anything else
(and a dropped connection before the request went out) is temporary; a connection lost
after the request was written leaves the message in doubt.

Delivery reports: Kannel fetches a message's ``dlr-url`` with GET, and GET never changes
state in this application. So the ``dlr-url`` we hand over is the gateway's own
``sendsms`` for a report account bound to a loopback SMSC (``report_user`` and
``report_pass``): Kannel turns the report into an inbound message
``newsletter-dlr <token> <type>`` that its ``sms-service`` POSTs to /sms/reports (see the
README for the kannel.conf groups). ``<token>`` is the delivery id, signed by
``report_token`` (the caller's), and ``<type>`` Kannel's DLR type (1 delivered, 2 failed,
16 refused by the SMSC)."""

import http.client
import ssl
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from newsletter.sms.parts import MAX_PARTS, UCS2, split
from newsletter.texts import N_, stored

from .base import (
    Accepted,
    InDoubt,
    OutgoingMessage,
    PermanentFailure,
    ServerUnavailable,
    TemporaryFailure,
)

REPORT_KEYWORD = "newsletter-dlr"
#: delivered to the phone (1), not delivered (2), refused by the SMSC (16)
REPORT_MASK = 1 | 2 | 16
CODING = {"gsm7": "0", UCS2: "2"}


class KannelMessenger:
    def __init__(self, url: str, user: str, password: str, params: dict[str, str], *,
                 source: str = "", timeout: float = 10.0, report_user: str = "",
                 report_pass: str = "", report_token: Callable[[int], str] | None = None):
        self.url = urlsplit(url)
        if self.url.scheme not in ("http", "https") or not self.url.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.user, self.password, self.params = user, password, dict(params)
        self.source, self.timeout = source, timeout
        if report_user:
            _plain(report_user), _plain(report_pass)
        self.report_user, self.report_pass = report_user, report_pass
        self.report_token = report_token
        self._connection: http.client.HTTPConnection | None = None

    # --- the request ----------------------------------------------------------------------
    def query(self, message: OutgoingMessage) -> dict[str, str]:
        """The sendsms parameters of one message."""
        parts = split(message.data.decode("utf-8"))
        if not parts.count or not parts.within_cap:
            raise PermanentFailure(stored(N_("the text has %(num)d parts (1 to %(max)d)"),
                                          num=parts.count, max=MAX_PARTS))
        query = {**self.params, "user": self.user, "pass": self.password,
                 "to": message.recipient, "text": message.data.decode("utf-8"),
                 "charset": "UTF-8", "coding": CODING[parts.encoding]}
        sender = message.sender or self.source
        if sender:
            query["from"] = sender
        if message.reference is not None and self.reports:
            query["dlr-mask"] = str(REPORT_MASK)
            query["dlr-url"] = self.report_url(message.reference)
        return query

    @property
    def reports(self) -> bool:
        return bool(self.report_user and self.report_token is not None)

    def report_url(self, delivery_id: int) -> str:
        """The gateway's own sendsms for the report account (Kannel fills in ``%d``). No
        percent-escapes besides ``%d``: Kannel reads every ``%x`` in it as a field."""
        token = self.report_token(delivery_id)
        query = "&".join(f"{name}={_plain(value)}" for name, value in (
            ("user", self.report_user), ("pass", self.report_pass), ("to", "0")))
        return (f"{self.url.scheme}://{self.url.netloc.rpartition('@')[2]}{self.url.path}?"
                f"{query}&text={REPORT_KEYWORD}+{token}+%d")

    # --- the connection -------------------------------------------------------------------
    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            if self.url.scheme == "https":
                self._connection = http.client.HTTPSConnection(
                    self.url.hostname, self.url.port or 443, timeout=self.timeout,
                    context=ssl.create_default_context())
            else:
                self._connection = http.client.HTTPConnection(
                    self.url.hostname, self.url.port or 80, timeout=self.timeout)
        return self._connection

    def begin(self, sender: str, recipient: str) -> None:
        pass

    def send(self, message: OutgoingMessage, then=None, meanwhile=None) -> str:
        path = f"{self.url.path or '/'}?{urlencode(self.query(message))}"
        reused = self._connection is not None
        try:
            response, body = self._exchange(path, meanwhile)
        except http.client.RemoteDisconnected:
            if not reused:  # a fresh connection closed without an answer
                raise InDoubt(stored(N_("SMS gateway closed the connection without an "
                                        "answer"))) from None
            # a kept-alive connection the gateway had closed meanwhile: once more, afresh
            response, body = self._exchange(path, None)
        answer = f"HTTP {response.status} {body}"[:300]
        if 200 <= response.status < 300:
            return Accepted(answer)
        if response.status in (401, 403):
            raise ServerUnavailable(stored(N_("SMS gateway refused our credentials: "
                                              "%(answer)s"), answer=answer))
        if response.status == 400:
            raise PermanentFailure(answer, code=response.status)
        raise TemporaryFailure(answer, code=response.status)

    def _exchange(self, path: str, meanwhile) -> tuple[http.client.HTTPResponse, str]:
        connection = self._connect()
        try:
            connection.request("GET", path, headers={"Connection": "keep-alive"})
        except OSError as exc:
            self.close()
            raise ServerUnavailable(stored(N_("SMS gateway %(host)s: %(error)s"),
                                           host=self.url.hostname, error=exc)) from exc
        if meanwhile is not None:
            meanwhile()
        try:
            response = connection.getresponse()
            body = response.read(2000).decode("utf-8", "replace").strip()
        except http.client.RemoteDisconnected:
            self.close()
            raise
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise InDoubt(stored(N_("SMS gateway connection lost before the answer: "
                                    "%(error)s"), error=exc)) from exc
        if response.will_close:
            self.close()
        return response, body

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _plain(value: str) -> str:
    """A value for the report URL, which may carry no percent-escape: letters, digits and
    ``-._~`` only."""
    if not all(c.isascii() and (c.isalnum() or c in "-._~") for c in value):
        raise ValueError("report_user and report_pass may hold letters, digits and -._~ only")
    return value
