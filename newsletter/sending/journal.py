"""The outcome journal: each delivery's outcome is written to Redis the moment the SMTP
server answers (one fast round trip, before the next message), and flushed to the database
in batches. A worker that dies leaves its journal behind; the next claim for the campaign
applies it first, so a message recorded in the journal is never sent again."""

import json
from datetime import datetime

from sqlalchemy import bindparam, update

from newsletter.models import Delivery

#: Every outcome carries all of these, so one executemany UPDATE applies a whole batch.
COLUMNS = ("state", "attempts", "claimed_by", "lease_until", "error", "smtp_reply", "sent_at",
           "next_attempt_at", "message_id")
DATETIMES = ("lease_until", "sent_at", "next_attempt_at")


def _key(campaign_id: int) -> str:
    return f"newsletter:outcomes:{campaign_id}"


def _dump(values: dict) -> str:
    return json.dumps({k: v.isoformat() if isinstance(v, datetime) else v
                       for k, v in values.items()})


def _load(raw: bytes) -> dict:
    values = json.loads(raw)
    for name in DATETIMES:
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return values


def apply(session, outcomes: dict[int, dict]) -> None:
    """Write outcomes (delivery id -> column values) in one statement; the caller commits."""
    if not outcomes:
        return
    rows = [{"_id": delivery_id, **{c: values.get(c) for c in COLUMNS}}
            for delivery_id, values in outcomes.items()]
    statement = (update(Delivery).where(Delivery.id == bindparam("_id"))
                 .values({c: bindparam(c) for c in COLUMNS}))
    session.connection().execute(statement, rows)


class Journal:
    """``record`` sends an outcome to Redis and returns at once; ``confirm`` waits until
    Redis has acknowledged every outcome sent. The sender confirms before the next message
    goes out, so the round trip overlaps building that message while an outcome is still
    safe in Redis before anything else is sent."""

    def __init__(self, conn, campaign_id: int):
        self.conn, self.key = conn, _key(campaign_id)
        self.pending: dict[int, dict] = {}
        self._connection = None  # a connection of its own: replies are read later
        self._unconfirmed = 0

    def record(self, delivery_id: int, values: dict) -> None:
        if self._connection is None:
            self._connection = self.conn.connection_pool.get_connection()
        self._connection.send_command("HSET", self.key, str(delivery_id), _dump(values))
        self._unconfirmed += 1
        self.pending[delivery_id] = values

    def confirm(self) -> None:
        try:
            while self._unconfirmed:
                self._connection.read_response()
                self._unconfirmed -= 1
        except Exception:
            self._connection.disconnect()  # its replies are out of step now
            raise

    def flush(self, session) -> None:
        self.confirm()
        if not self.pending:
            return
        apply(session, self.pending)
        session.commit()
        self.conn.hdel(self.key, *[str(i) for i in self.pending])
        self.pending.clear()

    def close(self) -> None:
        if self._connection is not None:
            self.conn.connection_pool.release(self._connection)
            self._connection = None


def recover(conn, session, campaign_id: int) -> int:
    """Apply what a dead worker journaled but never flushed; returns how many."""
    key = _key(campaign_id)
    found = conn.hgetall(key)
    if not found:
        return 0
    apply(session, {int(k): _load(v) for k, v in found.items()})
    session.commit()
    conn.hdel(key, *found.keys())
    return len(found)
