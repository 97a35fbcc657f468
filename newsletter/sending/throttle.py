"""Limits shared by every worker, kept in Redis: a GCRA rate limiter (messages per period
per sender or recipient domain) and a semaphore capping concurrent SMTP connections."""

import time
from dataclasses import dataclass

import redis

# GCRA: KEYS[1] the theoretical arrival time (TAT, ms); ARGV: now_ms, interval_ms (for all
# the slots taken at once), burst_ms. Takes the slots and returns 0 when allowed; otherwise
# returns the ms to wait (at least 1: Redis truncates a Lua number to an integer reply, and
# a wait under 1 ms must not read as 0, "allowed"), taking nothing.
_GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allow_at = tat - burst
if now < allow_at then return math.max(1, math.ceil(allow_at - now)) end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now + burst + 1000))
return 0
"""

# Semaphore: KEYS[1] a sorted set holder -> expiry (ms); ARGV: now_ms, ttl_ms, limit, holder.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or
   redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Rate:
    limit: int  # messages
    period: str = "hour"  # "second" | "minute" | "hour"

    @property
    def interval_ms(self) -> float:
        return PERIODS[self.period] * 1000 / self.limit

    def per_second(self) -> float:
        return self.limit / PERIODS[self.period]


class RateLimiter:
    """``acquire(key, rate)`` takes one slot or says how long to wait. Bursts of up to
    ``burst`` messages are allowed after idle time (1 = perfectly even spacing)."""

    def __init__(self, conn: redis.Redis, prefix: str = "newsletter:rate:"):
        self.conn = conn
        self.prefix = prefix
        self._script = conn.register_script(_GCRA)

    def acquire(self, key: str, rate: Rate, count: int = 1, burst: int = 1) -> float:
        """0.0 when ``count`` slots were taken, else the seconds to wait (nothing taken)."""
        interval = rate.interval_ms
        wait_ms = self._script(keys=[self.prefix + key],
                               args=[_now_ms(), interval * count, interval * (burst - 1)])
        return float(wait_ms) / 1000.0


class ConnectionSlots:
    """Per SMTP server: at most ``limit`` connections across all workers (a holder that
    dies frees its slot after ``ttl``), and a shared back-off after a 421."""

    def __init__(self, conn: redis.Redis, key: str, limit: int, ttl_seconds: int = 120):
        self.conn = conn
        self.key = f"newsletter:conn:{key}"
        self.limit = limit
        self.ttl_ms = ttl_seconds * 1000
        self._script = conn.register_script(_ACQUIRE)

    def acquire(self, holder: str) -> bool:
        """Take (or refresh) the holder's slot; False when all slots are taken."""
        return bool(self._script(keys=[self.key],
                                 args=[_now_ms(), self.ttl_ms, self.limit, holder]))

    def release(self, holder: str) -> None:
        self.conn.zrem(self.key, holder)

    def back_off(self, seconds: float) -> None:
        """The server said 421: every worker leaves it alone for ``seconds``."""
        self.conn.set(self.key + ":backoff", "1", px=int(seconds * 1000))

    def backoff_remaining(self) -> float:
        ms = self.conn.pttl(self.key + ":backoff")
        return ms / 1000.0 if ms and ms > 0 else 0.0
