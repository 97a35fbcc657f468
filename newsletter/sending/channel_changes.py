"""The owner's changes to the channels (``channels.servers``), recorded in the audit log:
each changed field old → new, "password changed" (never the password), removals, and a
sender's servers with their weights."""

from sqlalchemy import select

from newsletter.channels import servers
from newsletter.models import MailServer, SmsGatewayAccount
from newsletter.platform import audit

_SERVER_FIELDS = ("name", "host", "port", "security", "username", "max_connections",
                  "rate_per_minute", "timeout")
_GATEWAY_FIELDS = ("name", "kind", "host", "port", "username", "path", "options")


def _snapshot(row, fields) -> dict:
    if row is None:
        return dict.fromkeys((*fields, "password_encrypted"))
    return {name: getattr(row, name) for name in (*fields, "password_encrypted")}


def _changes(before: dict, row, fields) -> list[str]:
    changed = [f"{name}: {before[name] or '—'} → {getattr(row, name) or '—'}"
               for name in fields if before[name] != getattr(row, name)]
    if before["password_encrypted"] != row.password_encrypted:
        changed.append("password removed" if row.password_encrypted is None
                       else "password changed")
    return changed


def save_mail_server(session, config, server_id: int | None, data: servers.MailServerData,
                     password: str, clear_password: bool, actor: str) -> MailServer:
    before = _snapshot(session.get(MailServer, server_id) if server_id else None,
                       _SERVER_FIELDS)
    server = servers.save_mail_server(session, config, server_id, data, password,
                                      clear_password=clear_password)
    changed = _changes(before, server, _SERVER_FIELDS)
    if changed:
        audit.record(session, actor, "channel.smtp_saved", f"SMTP server {server.id}",
                     ("created; " if server_id is None else "") + "; ".join(changed))
    return server


def delete_mail_server(session, server_id: int, actor: str) -> None:
    server = session.get(MailServer, server_id)
    servers.delete_mail_server(session, server_id)
    audit.record(session, actor, "channel.smtp_removed", f"SMTP server {server_id}",
                 f"{server.name} ({server.host}:{server.port})")


def save_gateway(session, config, gateway_id: int | None, data: servers.GatewayData,
                 password: str, reserved: tuple[str, ...], actor: str) -> SmsGatewayAccount:
    before = _snapshot(session.get(SmsGatewayAccount, gateway_id) if gateway_id else None,
                       _GATEWAY_FIELDS)
    gateway = servers.save_gateway(session, config, gateway_id, data, password, reserved)
    changed = _changes(before, gateway, _GATEWAY_FIELDS)
    if changed:
        audit.record(session, actor, "channel.sms_saved", f"SMS gateway {gateway.id}",
                     ("created; " if gateway_id is None else "") + "; ".join(changed))
    return gateway


def delete_gateway(session, gateway_id: int, actor: str) -> None:
    gateway = session.get(SmsGatewayAccount, gateway_id)
    servers.delete_gateway(session, gateway_id)
    audit.record(session, actor, "channel.sms_removed", f"SMS gateway {gateway_id}",
                 f"{gateway.name} ({gateway.host}:{gateway.port})")


def set_pool(session, sender_id: int, weights: dict[int, int], actor: str) -> None:
    before = servers.pool_weights(session, sender_id)
    servers.set_pool(session, sender_id, weights)
    after = servers.pool_weights(session, sender_id)
    if before != after:
        names = dict(session.execute(select(MailServer.id, MailServer.name).where(
            MailServer.id.in_(set(before) | set(after)))).all())
        audit.record(session, actor, "sender.servers", f"sender {sender_id}", "; ".join(
            f"{names.get(i, i)}: {before.get(i, 0)} → {after.get(i, 0)}"
            for i in sorted(set(before) | set(after)) if before.get(i) != after.get(i)))
