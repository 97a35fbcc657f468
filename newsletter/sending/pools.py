"""The SMTP servers a campaign's messages go through: the sender identity's pool set in
the admin (``channels.servers``), each member with its circuit, connection cap and rate
shared by every worker through Redis; or, without a pool, ``SMTP_URL`` as before."""

import functools
from dataclasses import dataclass

from newsletter.channels.circuit import Circuit
from newsletter.channels.pool import Member, Misconfigured, PoolCircuit, PooledMessenger
from newsletter.channels.servers import sender_pool
from newsletter.channels.smtp import SMTPMessenger, mail_server_circuit, smtp_settings

from .policy import Shared, worker_id
from .throttle import ConnectionSlots, Rate, RateLimiter


@dataclass(frozen=True)
class Route:
    messenger: object  # a Messenger
    shared: Shared


def email_route(session, config, conn, sender_id: int | None) -> Route:
    """The messenger and the shared limits for a sender's e-mail."""
    limiter = RateLimiter(conn)
    members = sender_pool(session, config, sender_id)
    if not members:
        settings = smtp_settings(config)
        return Route(SMTPMessenger(settings), Shared(
            limiter=limiter, journal=conn, circuit=mail_server_circuit(config, conn),
            slots=ConnectionSlots(conn, settings.key, config["SMTP_MAX_CONNECTIONS"])))
    holder = worker_id()
    pool = PooledMessenger([_member(config, conn, limiter, holder, m) for m in members],
                           holder)
    # connection caps and circuits are the members' own (the pool takes and releases them)
    return Route(pool, Shared(limiter=limiter, journal=conn, circuit=PoolCircuit(pool)))


def _member(config, conn, limiter: RateLimiter, holder: str, member) -> Member:
    settings = member.settings
    slots = ConnectionSlots(conn, settings.key,
                            member.max_connections or config["SMTP_MAX_CONNECTIONS"])
    throttle = None
    if member.rate_per_minute:
        throttle = functools.partial(limiter.acquire, f"server:{settings.key}",
                                     Rate(member.rate_per_minute, "minute"))
    return Member(
        name=member.name, weight=member.weight,
        messenger=Misconfigured(member.problem) if member.problem else SMTPMessenger(settings),
        circuit=Circuit(conn, settings.key, first=config["SMTP_PROBE_SECONDS"],
                        longest=config["SMTP_PROBE_MAX_SECONDS"],
                        probe_seconds=settings.timeout * 2 + 5),
        slot=functools.partial(slots.acquire, holder),
        release=functools.partial(slots.release, holder), throttle=throttle)
