"""A pool of SMTP servers behind one Messenger: a sender identity's messages are spread
over its servers by weight (smooth weighted round robin: with weights 3 and 1 every four
messages go 3 and 1, interleaved), and a server that cannot be reached hands its share to
the others until it is back.

Each member has its own circuit (``channels.circuit``, shared by every worker through
Redis). A connection-level failure (``ServerUnavailable``: nothing was handed over) opens
that member's circuit and the same message goes to the next member at once, so failover
loses and duplicates nothing. A member whose circuit is open is left out until its probe is
due; then this worker (if it is the prober) tries it again, and the first answer closes the
circuit. Only when every member is unavailable does the pool raise ``ServerUnavailable``:
the engine then waits for the soonest probe (``PoolCircuit``). A member may also cap its
connections across workers and its rate (``slot``, ``throttle``): a member at its cap is
passed over for a moment."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from newsletter.texts import N_, stored

from .base import Messenger, OutgoingMessage, ServerUnavailable
from .circuit import CLOSED, PROBE, Circuit

#: seconds a member at its connection cap (or without a free rate slot) is passed over
BUSY_SECONDS = 1.0
#: the engine's wait when every member is only busy, none is down
ALL_BUSY_WAIT = 2.0


@dataclass(eq=False)
class Member:
    name: str
    weight: int
    messenger: Messenger
    circuit: Circuit | None = None
    #: take (or refresh) a connection slot: False when the cap is reached
    slot: Callable[[], bool] | None = None
    release: Callable[[], None] | None = None
    #: take a rate slot: 0 when taken, else seconds to wait
    throttle: Callable[[], float] | None = None
    current: int = 0  # the smooth weighted round robin's counter
    down_until: float = 0.0  # monotonic; not before then
    checked: bool = False  # its circuit was asked since it was last down
    probing: bool = False  # this worker is its circuit's prober
    connected: bool = False  # holds a connection slot
    reason: str = ""
    sent: int = field(default=0)


class PooledMessenger:
    def __init__(self, members: list[Member], holder: str, sleep=time.sleep,
                 clock=time.monotonic):
        if not members:
            raise ValueError("a pool needs at least one server")
        self.members, self.holder = members, holder
        self.sleep, self.clock = sleep, clock
        self._next: Member | None = None  # chosen for the announced next message

    # --- choosing ---------------------------------------------------------------------------
    def usable(self, member: Member) -> bool:
        """Whether the member may be used now (asks its circuit once per down spell)."""
        if member.down_until > self.clock():
            return False
        if member.circuit is not None and not member.checked:
            state, wait = member.circuit.enter(self.holder)
            if state not in (CLOSED, PROBE):
                member.down_until = self.clock() + wait
                return False
            member.probing, member.checked = state == PROBE, True
        return True

    def _pick(self, exclude: set) -> Member | None:
        candidates = [m for m in self.members if m not in exclude and self.usable(m)]
        if not candidates:
            return None
        total = sum(m.weight for m in candidates)
        for member in candidates:
            member.current += member.weight
        chosen = max(candidates, key=lambda m: m.current)
        chosen.current -= total
        return chosen

    def soonest(self) -> float:
        """Seconds until some member may be tried again (0: one may be used now)."""
        now = self.clock()
        if any(self.usable(m) for m in self.members):
            return 0.0
        return max(0.0, min(m.down_until for m in self.members) - now)

    # --- the Messenger protocol -------------------------------------------------------------
    def begin(self, sender: str, recipient: str) -> None:
        if self._next is None:
            self._next = self._pick(set())
        if self._next is not None:
            self._next.messenger.begin(sender, recipient)

    def send(self, message: OutgoingMessage, then: tuple[str, str] | None = None,
             meanwhile: Callable[[], None] | None = None) -> str:
        member, self._next = self._next, None
        tried: set = set()
        reasons: list[str] = []
        while True:
            if member is None or member in tried or not self.usable(member):
                member = self._pick(tried)
            if member is None:
                raise ServerUnavailable("; ".join(reasons) or self._why_none())
            tried.add(member)
            if not self._ready(member):
                reasons.append(stored(N_("%(server)s: at its connection or rate limit"),
                                      server=member.name))
                member = None
                continue
            upcoming = self._pick(set()) if then is not None else None
            try:
                reply = member.messenger.send(
                    message, then if upcoming is member else None, meanwhile)
            except ServerUnavailable as exc:
                self._down(member, str(exc))
                reasons.append(f"{member.name}: {exc}")
                member = None
                continue
            self._up(member)
            self._next = upcoming
            return reply

    def _ready(self, member: Member) -> bool:
        """Take a connection slot (first use) and a rate slot; False: pass it over."""
        if not member.connected and member.slot is not None:
            if not member.slot():
                member.down_until = self.clock() + BUSY_SECONDS
                return False
            member.connected = True
        wait = member.throttle() if member.throttle is not None else 0.0
        if wait > 0:
            if len(self.members) == 1 and wait <= ALL_BUSY_WAIT:
                self.sleep(wait)
                return self._ready(member)
            member.down_until = self.clock() + min(wait, ALL_BUSY_WAIT)
            return False
        return True

    def _down(self, member: Member, reason: str) -> None:
        wait = member.circuit.failed(reason) if member.circuit is not None else 5.0
        member.down_until, member.reason = self.clock() + wait, reason
        member.checked = member.probing = False
        self._close(member)

    def _up(self, member: Member) -> None:
        member.sent += 1
        if member.probing:
            member.circuit.succeeded()
            member.probing = False

    def _why_none(self) -> str:
        reasons = [f"{m.name}: {m.reason}" for m in self.members if m.reason]
        return "; ".join(reasons) or stored(N_("every server of the pool is busy"))

    def _close(self, member: Member) -> None:
        member.messenger.close()
        if member.connected and member.release is not None:
            member.release()
        member.connected = False

    def close(self) -> None:
        self._next = None
        for member in self.members:
            self._close(member)
            if member.probing and member.circuit is not None:
                member.circuit.release(self.holder)
                member.probing = False
            member.checked = False


class Misconfigured:
    """The messenger of a pool member that cannot be used as configured: every message
    meets ``ServerUnavailable`` with the reason, so its circuit opens and says why (on the
    status tab when the whole pool is out) while the other members carry on."""

    def __init__(self, reason: str):
        self.reason = reason

    def begin(self, sender: str, recipient: str) -> None:
        pass

    def send(self, message: OutgoingMessage, then=None, meanwhile=None) -> str:
        raise ServerUnavailable(self.reason)

    def close(self) -> None:
        pass


class PoolCircuit:
    """What the engine asks of a circuit, for a whole pool: closed while some member may be
    used, else wait for the soonest probe. Members' circuits are opened and closed by the
    pool itself."""

    def __init__(self, pool: PooledMessenger):
        self.pool = pool

    def enter(self, holder: str) -> tuple[int, float]:
        wait = self.pool.soonest()
        return (CLOSED, 0.0) if wait <= 0 else (2, wait)

    def failed(self, reason: str) -> float:
        return self.pool.soonest() or ALL_BUSY_WAIT

    def release(self, holder: str) -> None:
        pass

    def succeeded(self) -> bool:
        return False

    def outage(self):
        """The outage when every member's circuit is open (the earliest since), else None."""
        outages = [m.circuit.outage() for m in self.pool.members if m.circuit is not None]
        if not outages or any(o is None for o in outages):
            return None
        return min(outages, key=lambda o: o.since)
