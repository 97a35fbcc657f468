"""A circuit breaker per server, shared by every worker through Redis.

Closed while the server answers. A connection-level failure (``ServerUnavailable``: refused,
unreachable, no greeting, TLS or login failed) opens it: from then on no worker connects
until the next probe is due, and then only one of them (the prober) tries; the probes back
off (``first`` seconds, doubling, at most ``longest``). The first success closes the circuit.
While it is open, senders hand their recipients back untouched, so an outage spends nobody's
attempts, and the status tab reads :meth:`Circuit.outage` to say since when and why."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

# KEYS[1] the circuit hash; ARGV: now_ms, holder, probe_ms. Returns {state, wait_ms}:
# 0 closed (go), 1 the probe is due and the caller is the prober (go), 2 wait wait_ms.
_ENTER = """
local next_probe = redis.call('HGET', KEYS[1], 'next_probe')
if not next_probe then return {0, 0} end
local now = tonumber(ARGV[1])
next_probe = tonumber(next_probe)
if now < next_probe then return {2, math.ceil(next_probe - now)} end
local prober = redis.call('HGET', KEYS[1], 'prober')
local prober_until = tonumber(redis.call('HGET', KEYS[1], 'prober_until') or 0)
if prober and prober ~= ARGV[2] and prober_until > now then
  return {2, math.min(2000, math.ceil(prober_until - now))}
end
redis.call('HSET', KEYS[1], 'prober', ARGV[2], 'prober_until', math.floor(now + tonumber(ARGV[3])))
return {1, 0}
"""

# KEYS[1]; ARGV: now_ms, reason, first_ms, longest_ms, ttl_ms. Records a failure and returns
# the ms until the next probe. A failure while the next probe is not yet due belongs to the
# same round (another worker failing at the same moment) and does not lengthen the wait.
_FAIL = """
local now = tonumber(ARGV[1])
local next_probe = tonumber(redis.call('HGET', KEYS[1], 'next_probe') or 0)
if next_probe > now then return math.ceil(next_probe - now) end
if redis.call('HEXISTS', KEYS[1], 'since') == 0 then
  redis.call('HSET', KEYS[1], 'since', ARGV[1])
end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local delay = math.floor(math.min(tonumber(ARGV[3]) * 2 ^ (failures - 1), tonumber(ARGV[4])))
redis.call('HSET', KEYS[1], 'next_probe', now + delay, 'reason', ARGV[2], 'last_failure', now)
redis.call('HDEL', KEYS[1], 'prober', 'prober_until')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return delay
"""

CLOSED, PROBE, WAIT = 0, 1, 2
#: an open circuit nobody probes any more (no sending) is forgotten after this long
FORGET_SECONDS = 3600


def _now_ms() -> int:
    return int(time.time() * 1000)


def _datetime(ms) -> datetime:
    """Naive UTC, as the models store times."""
    return datetime.fromtimestamp(int(float(ms)) / 1000, UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Outage:
    since: datetime  # the first failure
    reason: str  # the last failure, as the channel said it
    failures: int  # failed rounds (the first failure and the probes since)
    next_probe_at: datetime


class Circuit:
    def __init__(self, conn, server: str, first: float = 5.0, longest: float = 60.0,
                 probe_seconds: float = 60.0):
        """``server`` names the server (``host:port``); ``probe_seconds`` bounds one probe
        (a prober that dies lets another probe after that long)."""
        self.conn = conn
        self.key = f"newsletter:circuit:{server}"
        self.first_ms, self.longest_ms = first * 1000, max(first, longest) * 1000
        self.probe_ms = int(probe_seconds * 1000)
        self._enter = conn.register_script(_ENTER)
        self._fail = conn.register_script(_FAIL)

    def enter(self, holder: str) -> tuple[int, float]:
        """(CLOSED, 0): connect. (PROBE, 0): connect; the caller is this round's prober and
        reports the result. (WAIT, seconds): do not connect before then."""
        state, wait_ms = self._enter(keys=[self.key], args=[_now_ms(), holder, self.probe_ms])
        return int(state), int(wait_ms) / 1000.0

    def failed(self, reason: str) -> float:
        """A connection-level failure: open (or keep open) the circuit; returns the seconds
        until the next probe."""
        wait_ms = self._fail(keys=[self.key], args=[
            _now_ms(), reason[:300], self.first_ms, self.longest_ms, FORGET_SECONDS * 1000])
        return int(wait_ms) / 1000.0

    def release(self, holder: str) -> None:
        """A prober that ends without having tried lets another worker probe at once."""
        if self.conn.hget(self.key, "prober") == holder.encode():
            self.conn.hdel(self.key, "prober", "prober_until")

    def succeeded(self) -> bool:
        """The server answered: close the circuit. True when it was open."""
        return bool(self.conn.delete(self.key))

    def outage(self) -> Outage | None:
        """The open circuit's story, or None while it is closed."""
        found = {k.decode(): v.decode() for k, v in self.conn.hgetall(self.key).items()}
        if "next_probe" not in found:
            return None
        return Outage(since=_datetime(found.get("since", found["next_probe"])),
                      reason=found.get("reason", ""), failures=int(found.get("failures", 1)),
                      next_probe_at=_datetime(found["next_probe"]))
