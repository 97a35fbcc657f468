""""Test connection" for a configured SMTP server or SMS gateway: really connect to the
address the owner configured (and nowhere else), go as far as a session (SMTP: connect,
EHLO, STARTTLS and login where configured, QUIT; SMPP: bind, unbind; Kannel: an HTTP
answer from the gateway) and say which step failed and why: DNS, refused, timeout, TLS,
login, or the server's answer. Never raises for a server's failure."""

import contextlib
import http.client
import smtplib
import socket
import ssl
from dataclasses import dataclass

from flask_babel import gettext
from smpplib import client as smpp_client
from smpplib import consts
from smpplib import exceptions as smpp_exceptions

from .smtp import SMTPSettings


@dataclass(frozen=True)
class Result:
    ok: bool
    kind: str  # "ok" | "dns" | "refused" | "timeout" | "tls" | "auth" | "protocol" | "network"
    message: str


def _network(exc: BaseException, where: str) -> Result:
    """A socket-level failure, named."""
    if isinstance(exc, socket.gaierror):
        return Result(False, "dns", gettext(
            "DNS: the name %(where)s could not be resolved (%(error)s).", where=where,
            error=exc))
    if isinstance(exc, ConnectionRefusedError):
        return Result(False, "refused", gettext(
            "Refused: nothing accepts connections at %(where)s.", where=where))
    if isinstance(exc, TimeoutError | socket.timeout):
        return Result(False, "timeout", gettext(
            "Timeout: %(where)s did not answer in time.", where=where))
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return Result(False, "tls", gettext("TLS failed with %(where)s: %(error)s.",
                                            where=where, error=exc))
    return Result(False, "network", gettext("Network error with %(where)s: %(error)s.",
                                         where=where, error=exc))


def _step(step: str) -> str:
    """The SMTP step in the person's words (commands stay as they are)."""
    return {"connect": gettext("connect"), "login": gettext("login")}.get(step, step)


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
        else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}".strip()


def test_smtp(settings: SMTPSettings, timeout: float) -> Result:
    where = f"{settings.host}:{settings.port}"
    timeout = min(timeout, settings.timeout)
    step = "connect"
    try:
        if settings.security == "tls":
            conn = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        try:
            step = "EHLO"
            code, reply = conn.ehlo()
            if code != 250:
                return Result(False, "protocol", gettext(
                    "%(where)s refused EHLO: %(reply)s.", where=where,
                    reply=f"{code} {reply.decode(errors='replace')}"))
            if settings.security == "starttls":
                step = "STARTTLS"
                if not conn.has_extn("starttls"):
                    return Result(False, "tls", gettext(
                        "TLS: %(where)s does not offer STARTTLS.", where=where))
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if settings.username:
                step = "login"
                conn.login(settings.username, settings.password or "")
            step = "QUIT"
            conn.quit()
        finally:
            conn.close()
    except smtplib.SMTPAuthenticationError as exc:
        return Result(False, "auth", gettext("Login refused by %(where)s: %(reply)s.",
                                             where=where, reply=_reply(exc)))
    except smtplib.SMTPNotSupportedError as exc:
        kind = "auth" if step == "login" else "protocol"
        return Result(False, kind, gettext("%(where)s does not support %(step)s: %(error)s.",
                                           where=where, step=_step(step), error=exc))
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, OSError):  # smtplib wraps a timeout or reset
            return _network(exc.__context__, where)
        return Result(False, "protocol", gettext(
            "%(where)s closed the connection at %(step)s (no SMTP server there, or TLS "
            "expected?): %(error)s.", where=where, step=_step(step),
            error=exc or gettext("no greeting")))
    except smtplib.SMTPResponseException as exc:
        return Result(False, "protocol", gettext("%(where)s refused %(step)s: %(reply)s.",
                                                 where=where, step=_step(step),
                                                 reply=_reply(exc)))
    except smtplib.SMTPException as exc:
        return Result(False, "protocol", gettext("%(where)s failed at %(step)s: %(error)s.",
                                                 where=where, step=_step(step), error=exc))
    except OSError as exc:
        return _network(exc, where)
    security = {"plain": gettext("without TLS"), "starttls": "STARTTLS",
                "tls": "TLS"}[settings.security]
    if settings.username:
        return Result(True, "ok", gettext(
            "Connected to %(where)s (%(security)s, logged in as %(user)s).", where=where,
            security=security, user=settings.username))
    return Result(True, "ok", gettext("Connected to %(where)s (%(security)s).", where=where,
                                      security=security))


def test_smpp(host: str, port: int, system_id: str, password: str, system_type: str,
              timeout: float) -> Result:
    where = f"{host}:{port}"
    client = smpp_client.Client(host, port, timeout=timeout, allow_unknown_opt_params=True)
    try:
        client.connect()
        client.bind_transceiver(system_id=system_id, password=password,
                                system_type=system_type)
        client.unbind()
    except smpp_exceptions.PDUError as exc:
        status = exc.args[1] if len(exc.args) > 1 else None
        if status in (consts.SMPP_ESME_RINVPASWD, consts.SMPP_ESME_RINVSYSID,
                      consts.SMPP_ESME_RBINDFAIL):
            return Result(False, "auth", gettext("Bind refused by %(where)s: %(reply)s.",
                                                 where=where, reply=exc.args[0]))
        return Result(False, "protocol", gettext("%(where)s refused the bind: %(reply)s.",
                                                 where=where, reply=exc))
    except smpp_exceptions.ConnectionError as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, OSError):
            return _network(cause, where)
        return Result(False, "protocol", gettext(
            "%(where)s closed the connection: %(error)s.", where=where, error=exc))
    except OSError as exc:
        return _network(exc, where)
    finally:
        with contextlib.suppress(Exception):  # the socket may be broken in any way
            client.disconnect()
    return Result(True, "ok", gettext("Bound to %(where)s as %(user)s and unbound.",
                                      where=where, user=system_id))


def test_http(scheme: str, host: str, port: int, path: str, timeout: float) -> Result:
    """The gateway answers HTTP at its address (any status: the gateway is reachable; a
    message needs parameters this check does not send)."""
    where = f"{host}:{port}"
    connection = http.client.HTTPSConnection(host, port, timeout=timeout) \
        if scheme == "https" else http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("HEAD", path or "/")
        status = connection.getresponse().status
    except http.client.HTTPException as exc:
        return Result(False, "protocol", gettext("%(where)s did not answer HTTP: %(error)s.",
                                                 where=where, error=repr(exc)))
    except OSError as exc:
        return _network(exc, where)
    finally:
        connection.close()
    return Result(True, "ok", gettext("%(where)s answers HTTP (status %(status)s).",
                                      where=where, status=status))
