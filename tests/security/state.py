"""What the security tests compare: every table's rows and the Redis state."""

from sqlalchemy import select

from newsletter import queue
from newsletter.extensions import db


def database_rows() -> dict[str, list]:
    with db.engine.connect() as conn:
        return {table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for table in db.metadata.sorted_tables}


def redis_state() -> dict[str, object]:
    """Every key and its value, rate-limit counters left out (they count requests on
    purpose), and so are RQ's records of workers: a burst worker of the world's build
    leaves its key to expire 60 s after it quit, which may happen during any request of a
    long walk (a slow machine), and no request starts or stops a worker."""
    conn = queue.get_redis()
    readers = {"string": conn.get, "list": lambda k: conn.lrange(k, 0, -1),
               "hash": conn.hgetall, "set": lambda k: sorted(conn.smembers(k)),
               "zset": lambda k: conn.zrange(k, 0, -1, withscores=True),
               "stream": conn.xrange}
    state = {}
    for key in conn.scan_iter():
        name = key.decode()
        if name.startswith(("ratelimit:", "rq:worker:")):
            continue
        kind = conn.type(key).decode()
        state[name] = (kind, readers[kind](key))
    return state


def changed(before: dict, after: dict) -> list[str]:
    """The tables (or keys) whose contents differ."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
