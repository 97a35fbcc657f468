"""SMS gateways by name (``SMS_GATEWAYS``: {name: URL}); a campaign names one. The URL says
which messenger serves it:

- ``outbox:`` the development outbox (the embedded default, read at /admin/outbox/sms);
- ``smpp://system_id:password@host:2775?source=%2B421900000000&system_type=&timeout=10``
  an SMPP 3.4 SMSC (``source``: the operator's number used when a campaign has no sender).
"""

from urllib.parse import parse_qs, unquote, urlsplit

from .base import Messenger
from .smpp import SmppMessenger
from .sms_outbox import SmsOutbox

DEFAULT_GATEWAYS = {"outbox": "outbox:"}


class GatewayError(ValueError):
    pass


def names(config) -> list[str]:
    return list(config.get("SMS_GATEWAYS") or DEFAULT_GATEWAYS)


def url_of(config, name: str) -> str:
    gateways = config.get("SMS_GATEWAYS") or DEFAULT_GATEWAYS
    if name not in gateways:
        raise GatewayError(f"There is no SMS gateway named {name!r}.")
    return gateways[name]


def open_gateway(config, name: str) -> Messenger:
    """A messenger for the named gateway (opens its connection on the first message)."""
    url = url_of(config, name)
    parts = urlsplit(url)
    if parts.scheme == "outbox":
        return SmsOutbox(config["SMS_OUTBOX_DIR"])
    if parts.scheme == "smpp":
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if not parts.hostname or not parts.username:
            raise GatewayError(f"SMS gateway {name!r}: smpp://system_id:password@host:port")
        return SmppMessenger(
            parts.hostname, parts.port or 2775, unquote(parts.username),
            unquote(parts.password or ""), system_type=query.get("system_type", ""),
            source=query.get("source", ""), timeout=float(query.get("timeout", 10)))
    raise GatewayError(f"SMS gateway {name!r}: unknown kind {parts.scheme!r} "
                       "(outbox: or smpp://)")
