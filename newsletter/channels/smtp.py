"""The SMTP channel: SMTP_URL parsing and a Messenger that reuses one connection, with
PIPELINING when the server offers it."""

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from newsletter.config import ConfigError
from newsletter.texts import N_, stored

from .base import (
    ConnectionBackoff,
    DeliveryError,
    InDoubt,
    OutgoingMessage,
    PermanentFailure,
    ServerUnavailable,
    TemporaryFailure,
)
from .circuit import Circuit


@dataclass(frozen=True)
class SMTPSettings:
    host: str
    port: int
    security: str  # "plain" | "starttls" | "tls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @property
    def key(self) -> str:
        """host:port, naming the server in the limits and circuit shared in Redis."""
        return f"{self.host}:{self.port}"

    def describe(self) -> str:
        """The server without its password, for messages to people."""
        user = f"{self.username}@" if self.username else ""
        return f"{self.security} SMTP {user}{self.host}:{self.port}"


_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


def parse_smtp_url(url: str) -> SMTPSettings:
    """``smtp://host:25``, ``smtp+starttls://user:pass@host:587``, ``smtps://host:465``;
    ``?starttls=1`` on smtp:// also asks for STARTTLS; ``?timeout=10`` sets the timeout."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ConfigError(
            f"SMTP_URL scheme {parts.scheme!r} is not supported; use smtp://host:25, "
            "smtp+starttls://user:password@host:587 or smtps://user:password@host:465"
        )
    if not parts.hostname:
        raise ConfigError(f"SMTP_URL {url!r} names no host, e.g. smtp://mail.example.com:25")
    security, default_port = _SCHEMES[parts.scheme]
    query = parse_qs(parts.query)
    if query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"):
        security = "starttls"
    try:
        port = parts.port or default_port
        timeout = float(query.get("timeout", ["30"])[0])
    except ValueError as exc:
        raise ConfigError(f"SMTP_URL {url!r} has a bad port or timeout: {exc}") from exc
    return SMTPSettings(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
    )


def _pipelines(conn: smtplib.SMTP, sender: str, recipient: str) -> bool:
    return conn.has_extn("pipelining") and (sender + recipient).isascii()


def _envelope_command(sender: str, recipient: str) -> bytes:
    return f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode()


def _stuffed(data: bytes) -> bytes:
    """The message as DATA sends it: lines starting with a dot doubled (RFC 5321 4.5.2),
    the end marker added."""
    data = data.replace(b"\n.", b"\n..")
    if data.startswith(b"."):
        data = b"." + data
    return data.rstrip(b"\r\n") + b"\r\n.\r\n"


class SMTPMessenger:
    """One reused SMTP connection; reconnects once when the server dropped it."""

    def __init__(self, settings: SMTPSettings):
        self.settings = settings
        self._conn: smtplib.SMTP | None = None
        self._begun: tuple[str, str] | None = None  # an envelope sent, its replies unread

    def connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            conn.ehlo_or_helo_if_needed()
            if s.username:
                conn.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            # the server's (or its configuration's) problem, not any recipient's
            raise ServerUnavailable(stored(
                N_("%(server)s refused the login: %(reply)s"), server=s.describe(),
                reply=_reply(exc)), exc.smtp_code) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ServerUnavailable(stored(N_("cannot connect to %(server)s: %(error)s"),
                                           server=s.describe(), error=exc)) from exc
        return conn

    def begin(self, sender: str, recipient: str) -> None:
        """MAIL, RCPT and DATA in one write (PIPELINING) on an open connection, so the
        server answers while the message is being built; ``send`` reads the answers. Best
        effort: a problem here is met again by ``send``."""
        if self._begun == (sender, recipient):
            return  # written behind the previous message
        self._abandon()
        conn = self._conn
        if conn is None or not _pipelines(conn, sender, recipient):
            return
        try:
            conn.send(_envelope_command(sender, recipient))
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            return
        self._begun = (sender, recipient)

    def send(self, message: OutgoingMessage, then: tuple[str, str] | None = None,
             meanwhile: Callable[[], None] | None = None) -> str:
        """Hand one message over. A connection that turns out to be dropped before the data
        was sent is reopened and the message retried at once; a connection lost after the
        data was sent raises InDoubt. ``then`` (sender, recipient) is the envelope expected
        next: it goes right behind this message's data, so the server answers both in one
        round trip; ``meanwhile`` runs while the server reads the data."""
        if self._begun not in (None, (message.sender, message.recipient)):
            self._abandon()
        for retry in (False, True):
            conn = self._conn or self.connect()
            self._conn = conn
            begun, self._begun = self._begun is not None, None
            try:
                self._envelope(conn, message, begun)
                break
            except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
                self.close()
                if retry:
                    raise TemporaryFailure(stored(
                        N_("%(server)s disconnected: %(error)s"),
                        server=self.settings.describe(), error=exc)) from exc
        follow = then if then is not None and _pipelines(conn, *then) else None
        try:
            conn.send(_stuffed(message.data) + (_envelope_command(*follow) if follow else b""))
            self._begun = follow
            if meanwhile is not None:
                meanwhile()
            code, reply = conn.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise InDoubt(stored(N_("connection lost during DATA, delivery unknown: "
                                    "%(error)s"), error=exc)) from exc
        if code != 250:
            failure = _failure(code, reply)
            # an envelope written behind the data leaves the server's answers out of step
            self.close() if isinstance(failure, ConnectionBackoff) or follow \
                else self._reset(conn)
            raise failure
        return _text(code, reply)

    def _envelope(self, conn: smtplib.SMTP, message: OutgoingMessage, begun: bool) -> None:
        """MAIL, RCPT and DATA, up to the server's 354 (already sent when ``begun``). With
        PIPELINING (RFC 2920) the three commands go in one write: two round trips per
        message instead of four, the first overlapping the message's building."""
        if begun or _pipelines(conn, message.sender, message.recipient):
            if not begun:
                conn.send(_envelope_command(message.sender, message.recipient))
            replies = [self._reply(conn) for _ in range(3)]
        else:
            replies = []
            for command in (f"MAIL FROM:<{message.sender}>", f"RCPT TO:<{message.recipient}>",
                            "DATA"):
                conn.putcmd(command)
                replies.append(self._reply(conn))
                if replies[-1][0] not in (250, 251, 354):
                    break
        for (code, reply), wanted in zip(replies, ((250,), (250, 251), (354,)), strict=False):
            if code == 421:
                self.close()
                raise ConnectionBackoff(_text(code, reply), code)
            if code not in wanted:
                if replies[-1][0] == 354:  # the server waits for data we won't send
                    self.close()
                else:
                    self._reset(conn)
                raise _failure(code, reply)

    def _reply(self, conn: smtplib.SMTP) -> tuple[int, bytes]:
        try:
            return conn.getreply()
        except TimeoutError as exc:
            self.close()
            raise TemporaryFailure(stored(N_("%(server)s timed out: %(error)s"),
                                          server=self.settings.describe(), error=exc)) from exc

    def _reset(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def _abandon(self) -> None:
        """Drop a connection left with an envelope begun and no message sent: after DATA
        the server would read anything, QUIT included, as the message."""
        if self._begun is not None:
            self._begun = None
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def close(self) -> None:
        self._abandon()
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                self._conn.close()
            self._conn = None


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text}".strip()


def _text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return f"{code} {text}".strip()


def _failure(code: int, text: bytes | str) -> DeliveryError:
    message = _text(code, text)
    if code == 421:
        return ConnectionBackoff(message, code)
    if 400 <= code < 500:
        return TemporaryFailure(message, code)
    return PermanentFailure(message, code)


def smtp_settings(config) -> SMTPSettings:
    """The configured server, or the dev mail catcher when SMTP_URL is unset."""
    url = config.get("SMTP_URL") or f"smtp://127.0.0.1:{config['MAILCATCHER_PORT']}"
    return parse_smtp_url(url)


def mail_server_circuit(config, conn) -> Circuit:
    """The configured SMTP server's circuit, shared through Redis (``conn``) by every worker
    that sends to it (``channels.circuit``)."""
    settings = smtp_settings(config)
    return Circuit(conn, settings.key, first=config["SMTP_PROBE_SECONDS"],
                   longest=config["SMTP_PROBE_MAX_SECONDS"],
                   probe_seconds=settings.timeout * 2 + 5)
