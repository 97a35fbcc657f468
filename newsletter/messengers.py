"""Channels the sender talks to. The sending code depends only on ``Messenger``."""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from .config import ConfigError


class DeliveryError(Exception):
    """A message was not accepted. ``permanent`` says whether retrying can help."""

    permanent = False

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class TemporaryFailure(DeliveryError):
    """4xx, a dropped connection, a timeout: retry later."""


class PermanentFailure(DeliveryError):
    """5xx: this recipient will not take the message."""

    permanent = True


class Messenger(Protocol):
    """Sends prepared messages over one channel, reusing its connection between calls."""

    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SMTPSettings:
    host: str
    port: int
    security: str  # "plain" | "starttls" | "tls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

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


class SMTPMessenger:
    """One reused SMTP connection; reconnects once when the server dropped it."""

    def __init__(self, settings: SMTPSettings):
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

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
            if s.username:
                conn.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentFailure(
                f"{s.describe()} refused the login: {_reply(exc)}", exc.smtp_code
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"cannot connect to {s.describe()}: {exc}") from exc
        return conn

    def send(self, message: EmailMessage) -> None:
        try:
            self._send_once(message)
        except smtplib.SMTPServerDisconnected:
            self.close()
            try:
                self._send_once(message)
            except smtplib.SMTPServerDisconnected as exc:
                self.close()
                raise TemporaryFailure(f"{self.settings.describe()} disconnected: {exc}") from exc

    def _send_once(self, message: EmailMessage) -> None:
        if self._conn is None:
            self._conn = self.connect()
        try:
            refused = self._conn.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _failure(code, text) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:
                self.close()
            raise _failure(exc.smtp_code, exc.smtp_error) from exc
        except (TimeoutError, ConnectionError) as exc:
            self.close()
            raise TemporaryFailure(f"{self.settings.describe()}: {exc}") from exc
        if refused:
            code, text = next(iter(refused.values()))
            raise _failure(code, text)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                self._conn.close()
            self._conn = None


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text}".strip()


def _failure(code: int, text: bytes | str) -> DeliveryError:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    message = f"{code} {text}".strip()
    if 400 <= code < 500:
        return TemporaryFailure(message, code)
    return PermanentFailure(message, code)


def smtp_settings(config) -> SMTPSettings:
    """The configured server, or the dev mail catcher when SMTP_URL is unset."""
    url = config.get("SMTP_URL") or f"smtp://127.0.0.1:{config['MAILCATCHER_PORT']}"
    return parse_smtp_url(url)
