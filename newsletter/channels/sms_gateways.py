"""SMS gateways by name (``SMS_GATEWAYS``: {name: URL}, and the gateway accounts owners set
in the admin, ``channels.servers``, when a session is given); a campaign names one. The URL
says which messenger serves it:

- ``outbox:`` the development outbox (the embedded default, read at /admin/outbox/sms);
- ``smpp://system_id:password@host:2775?source=%2B421900000000&system_type=&timeout=10``
  an SMPP 3.4 SMSC (``source``: the operator's number used when a campaign has no sender;
  ``window``: messages sent before their answers, 10 unless given);
- ``kannel+http://user:pass@host:13013/cgi-bin/sendsms?smsc=op&report_user=dlr&report_pass=x``
  (or ``kannel+https://``) an HTTP gateway in the Kannel ``sendsms`` style: every query
  parameter but ``source``, ``timeout``, ``report_user`` and ``report_pass`` is passed on
  with each message; with a report account, delivery reports come back (``channels.kannel``).
"""

from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from .base import Messenger
from .kannel import KannelMessenger
from .servers import gateway_urls
from .smpp import SmppMessenger
from .sms_outbox import SmsOutbox

DEFAULT_GATEWAYS = {"outbox": "outbox:"}
#: unanswered SMPP messages at most (``window=`` in the URL; 1: each waits for its answer)
SMPP_WINDOW = 10


class GatewayError(ValueError):
    pass


def _gateways(config, session=None) -> dict[str, str]:
    configured = dict(config.get("SMS_GATEWAYS") or DEFAULT_GATEWAYS)
    if session is not None:  # SMS_GATEWAYS wins a name both define
        configured = {**gateway_urls(session, config), **configured}
    return configured


def names(config, session=None) -> list[str]:
    return list(_gateways(config, session))


def url_of(config, name: str, session=None) -> str:
    gateways = _gateways(config, session)
    if name not in gateways:
        raise GatewayError(f"There is no SMS gateway named {name!r}.")
    return gateways[name]


def kind_of(config, name: str, session=None) -> str:
    """``outbox``, ``smpp`` or ``kannel``."""
    return urlsplit(url_of(config, name, session)).scheme.partition("+")[0]


def open_gateway(config, name: str,
                 report_token: Callable[[int], str] | None = None, session=None) -> Messenger:
    """A messenger for the named gateway (opens its connection on the first message).
    ``report_token`` signs a delivery id for the HTTP gateway's delivery reports."""
    url = url_of(config, name, session)
    parts = urlsplit(url)
    if parts.scheme == "outbox":
        return SmsOutbox(config["SMS_OUTBOX_DIR"])
    if parts.scheme in ("kannel+http", "kannel+https"):
        return _kannel(name, parts, report_token)
    if parts.scheme == "smpp":
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if not parts.hostname or not parts.username:
            raise GatewayError(f"SMS gateway {name!r}: smpp://system_id:password@host:port")
        return SmppMessenger(
            parts.hostname, parts.port or 2775, unquote(parts.username),
            unquote(parts.password or ""), system_type=query.get("system_type", ""),
            source=query.get("source", ""), timeout=float(query.get("timeout", 10)),
            window=max(1, int(query.get("window", SMPP_WINDOW))))
    raise GatewayError(f"SMS gateway {name!r}: unknown kind {parts.scheme!r} "
                       "(outbox:, smpp:// or kannel+http://)")


def _kannel(name: str, parts, report_token) -> KannelMessenger:
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if not parts.hostname or not parts.username:
        raise GatewayError(f"SMS gateway {name!r}: kannel+http://user:pass@host:port/path")
    own = {k: query.pop(k, "") for k in ("source", "timeout", "report_user", "report_pass")}
    scheme = parts.scheme.partition("+")[2]
    host = parts.netloc.rpartition("@")[2]
    try:
        return KannelMessenger(
            f"{scheme}://{host}{parts.path}", unquote(parts.username),
            unquote(parts.password or ""), query, source=own["source"],
            timeout=float(own["timeout"] or 10), report_user=own["report_user"],
            report_pass=own["report_pass"], report_token=report_token)
    except ValueError as exc:
        raise GatewayError(f"SMS gateway {name!r}: {exc}") from None
