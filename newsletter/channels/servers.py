"""The SMTP servers and SMS gateway accounts owners set in the admin, and each sender
identity's pool of servers: saving (passwords encrypted, a blank password keeps the stored
one), and turning a stored row into the settings a messenger connects with. A sender with no
pool sends through ``SMTP_URL``; a gateway account is picked by name beside the gateways of
``SMS_GATEWAYS``."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

from flask_babel import gettext
from sqlalchemy import delete, select

from newsletter.errors import DomainError
from newsletter.models import MailServer, SenderIdentity, SenderServer, SmsGatewayAccount

from . import connectivity, credentials
from .smtp import SMTPSettings

SECURITY = {"plain": "None (plain SMTP)", "starttls": "STARTTLS", "tls": "TLS from the start"}
GATEWAY_KINDS = {"smpp": "SMPP 3.4", "kannel+http": "Kannel HTTP",
                 "kannel+https": "Kannel HTTPS"}
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:]+\]?$")
_NAME = re.compile(r"^[\w .-]{1,100}$")
MAX_WEIGHT = 1000


class ServerError(DomainError):
    """Refused input; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MailServerData:
    name: str
    host: str
    port: int
    security: str
    username: str = ""
    max_connections: int | None = None
    rate_per_minute: int | None = None
    timeout: int = 30


@dataclass(frozen=True)
class GatewayData:
    name: str
    kind: str
    host: str
    port: int
    username: str
    path: str = ""
    options: str = ""


def _check_common(session, model, row_id, name: str, host: str, port: int) -> None:
    if not _NAME.match(name or ""):
        raise ServerError(gettext(
            "A name of 1 to 100 letters, digits, spaces, dots, dashes."), "name")
    taken = session.scalar(select(model.id).where(model.name == name, model.id != (row_id or 0)))
    if taken:
        raise ServerError(gettext("The name %(name)s is taken.", name=repr(name)), "name")
    if not _HOST.match(host or ""):
        raise ServerError(gettext("A host name (mail.example.com) or an IP address."), "host")
    if not 1 <= (port or 0) <= 65535:
        raise ServerError(gettext("A port from 1 to 65535."), "port")


def _row(session, model, row_id):
    if row_id is None:
        row = model()
        session.add(row)
        return row
    row = session.get(model, row_id)
    if row is None:
        raise ServerError(gettext("There is no such server."))
    return row


def save_mail_server(session, config, server_id: int | None, data: MailServerData,
                     password: str = "", clear_password: bool = False) -> MailServer:
    """Create or update; a blank ``password`` keeps the stored one (``clear_password``
    removes it)."""
    _check_common(session, MailServer, server_id, data.name, data.host, data.port)
    if data.security not in SECURITY:
        raise ServerError(gettext("Choose how the connection is secured."), "security")
    for field in ("max_connections", "rate_per_minute"):
        value = getattr(data, field)
        if value is not None and value < 1:
            raise ServerError(gettext("Empty for no limit, or at least 1."), field)
    if not 1 <= data.timeout <= 300:
        raise ServerError(gettext("From 1 to 300 seconds."), "timeout")
    if password and not data.username:
        raise ServerError(gettext("A password needs a user name."), "username")
    server = _row(session, MailServer, server_id)
    for field in ("name", "host", "port", "security", "max_connections", "rate_per_minute",
                  "timeout"):
        setattr(server, field, getattr(data, field))
    server.username = data.username or None
    if password:
        server.password_encrypted = credentials.encrypt(config, password)
    elif clear_password or not data.username:
        server.password_encrypted = None
    session.flush()
    return server


def delete_mail_server(session, server_id: int) -> None:
    session.execute(delete(SenderServer).where(SenderServer.server_id == server_id))
    session.delete(_row(session, MailServer, server_id))


def smtp_settings_of(config, server: MailServer) -> SMTPSettings:
    return SMTPSettings(host=server.host, port=server.port, security=server.security,
                        username=server.username or None,
                        password=credentials.decrypt(config, server.password_encrypted) or None,
                        timeout=float(server.timeout))


def save_gateway(session, config, gateway_id: int | None, data: GatewayData,
                 password: str = "", reserved: tuple[str, ...] = ()) -> SmsGatewayAccount:
    """Create or update an SMS gateway account; ``reserved`` are the names SMS_GATEWAYS
    already uses."""
    _check_common(session, SmsGatewayAccount, gateway_id, data.name, data.host, data.port)
    if data.name in reserved:
        raise ServerError(gettext("SMS_GATEWAYS already defines %(name)s.", name=repr(data.name)),
                          "name")
    if data.kind not in GATEWAY_KINDS:
        raise ServerError(gettext("Choose the kind of gateway."), "kind")
    if not data.username:
        raise ServerError(gettext("The gateway's user (SMPP system_id)."), "username")
    if data.path and (not data.path.startswith("/") or "?" in data.path or " " in data.path):
        raise ServerError(gettext("A path such as /cgi-bin/sendsms, without parameters."),
                          "path")
    try:
        parse_qsl(data.options, strict_parsing=True) if data.options else None
    except ValueError:
        raise ServerError(gettext("Parameters as name=value&name=value."), "options") from None
    gateway = _row(session, SmsGatewayAccount, gateway_id)
    for field in ("name", "kind", "host", "port", "username", "path", "options"):
        setattr(gateway, field, getattr(data, field))
    if password:
        gateway.password_encrypted = credentials.encrypt(config, password)
    session.flush()
    return gateway


def gateway_url(config, gateway: SmsGatewayAccount) -> str:
    """The gateway as a URL ``channels.sms_gateways`` opens (with the decrypted password:
    never shown nor stored)."""
    password = quote(credentials.decrypt(config, gateway.password_encrypted), safe="")
    query = urlencode(parse_qsl(gateway.options)) if gateway.options else ""
    return (f"{gateway.kind}://{quote(gateway.username, safe='')}:{password}@"
            f"{gateway.host}:{gateway.port}{gateway.path}" + (f"?{query}" if query else ""))


def delete_gateway(session, gateway_id: int) -> None:
    session.delete(_row(session, SmsGatewayAccount, gateway_id))


def test_gateway(config, gateway: SmsGatewayAccount, timeout: float) -> connectivity.Result:
    """Connect to the gateway as configured: SMPP bind and unbind; HTTP: an answer."""
    if gateway.kind == "smpp":
        options = dict(parse_qsl(gateway.options))
        return connectivity.test_smpp(
            gateway.host, gateway.port, gateway.username,
            credentials.decrypt(config, gateway.password_encrypted),
            options.get("system_type", ""), timeout)
    return connectivity.test_http(gateway.kind.partition("+")[2], gateway.host, gateway.port,
                                  gateway.path, timeout)


def test_all(session, config, timeout: float) -> list[tuple[str, connectivity.Result]]:
    """Connect to every mail server and SMS gateway set in the admin (``newsletter
    check``): [(what, result)], what being "mail server NAME" or "SMS gateway NAME"."""
    checks = [(f"mail server {s.name}", lambda s=s: connectivity.test_smtp(
        smtp_settings_of(config, s), timeout)) for s in session.scalars(
            select(MailServer).order_by(MailServer.name))]
    checks += [(f"SMS gateway {g.name}", lambda g=g: test_gateway(config, g, timeout))
               for g in session.scalars(select(SmsGatewayAccount).order_by(
                   SmsGatewayAccount.name))]
    return [(what, _tested(check)) for what, check in checks]


def _tested(check) -> connectivity.Result:
    try:
        return check()
    except credentials.CredentialError as exc:  # a password saved under another key
        return connectivity.Result(False, "auth", str(exc))


def gateway_urls(session, config) -> dict[str, str]:
    """{name: URL} of the gateway accounts set in the admin."""
    return {g.name: gateway_url(config, g) for g in session.scalars(
        select(SmsGatewayAccount).order_by(SmsGatewayAccount.name))}


@dataclass(frozen=True)
class PoolMember:
    server_id: int
    name: str
    settings: SMTPSettings
    weight: int
    max_connections: int | None
    rate_per_minute: int | None
    #: why the server cannot be used as configured (its password cannot be decrypted)
    problem: str | None = None


def set_pool(session, sender_id: int, weights: dict[int, int]) -> None:
    """The sender's servers and their weights ({server id: weight}; 0 leaves it out)."""
    if session.get(SenderIdentity, sender_id) is None:
        raise ServerError(gettext("There is no such sender."))
    for server_id, weight in weights.items():
        if not 0 <= weight <= MAX_WEIGHT:
            raise ServerError(gettext("A weight from 0 to %(max)d.", max=MAX_WEIGHT), "pool")
        if session.get(MailServer, server_id) is None:
            raise ServerError(gettext("There is no such server."), "pool")
    session.execute(delete(SenderServer).where(SenderServer.sender_id == sender_id))
    for server_id, weight in sorted(weights.items()):
        if weight:
            session.add(SenderServer(sender_id=sender_id, server_id=server_id, weight=weight))
    session.flush()


def pool_weights(session, sender_id: int) -> dict[int, int]:
    return dict(session.execute(select(SenderServer.server_id, SenderServer.weight).where(
        SenderServer.sender_id == sender_id)).all())


def pool_keys(session, sender_id: int | None) -> list[str]:
    """``host:port`` of the sender's servers, as their circuits name them ([]: SMTP_URL)."""
    if sender_id is None:
        return []
    return [f"{host}:{port}" for host, port in session.execute(
        select(MailServer.host, MailServer.port).join(SenderServer).where(
            SenderServer.sender_id == sender_id).order_by(MailServer.id)).all()]


def sender_pool(session, config, sender_id: int | None) -> list[PoolMember]:
    """The servers the sender's messages go through ([] : SMTP_URL)."""
    if sender_id is None:
        return []
    rows = session.scalars(select(SenderServer).where(SenderServer.sender_id == sender_id)
                           .order_by(SenderServer.server_id))
    members = []
    for r in rows:
        try:
            settings, problem = smtp_settings_of(config, r.server), None
        except credentials.CredentialError as exc:  # the server is out until fixed
            settings = SMTPSettings(r.server.host, r.server.port, r.server.security)
            problem = f"{r.server.name}: {exc}"
        members.append(PoolMember(r.server_id, r.server.name, settings, r.weight,
                                  r.server.max_connections, r.server.rate_per_minute, problem))
    return members
