"""Safe methods are safe: while the app answers a GET, HEAD or OPTIONS request, the database
refuses every statement that writes.

Mail scanners, link previewers and prefetching browsers open every link in a message with
GET or HEAD, so no such request may unsubscribe, confirm, use up a one-time link or erase
anything. The views route state changes by POST only; this module makes a slip impossible
rather than unlikely. ``SafeMethods`` wraps the WSGI app and marks the request (it reads the
method from the WSGI environ, before Flask routes anything, so views, hooks and error
handlers are all covered); an engine listener refuses INSERT, UPDATE, DELETE and DDL in a
marked request with ``WriteInSafeRequest``, which answers 500 and writes nothing.

Click and open tracking (GET /c/..., /o/...) are not an exception here: they only push an
event to Redis, and a job records it outside any request. Rate-limit counters live in Redis
too. Redis has no such guard; ``tests/security/test_safe_methods.py`` checks its state."""

import re
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_in_safe_request: ContextVar[str | None] = ContextVar("in_safe_request", default=None)

_LEADING = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.S)
_WRITE_VERBS = frozenset({
    "INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "CREATE", "DROP", "ALTER",
    "TRUNCATE", "GRANT", "REVOKE", "COPY", "VACUUM", "REINDEX", "CLUSTER", "COMMENT",
})
_DML = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.I)
_FOR_UPDATE = re.compile(r"\bFOR\s+(NO\s+KEY\s+)?UPDATE\b", re.I)


class WriteInSafeRequest(RuntimeError):
    """A GET, HEAD or OPTIONS request tried to change the database."""


def writes(statement: str) -> bool:
    """Whether an SQL statement changes data or schema (reads, ``SELECT ... FOR UPDATE``,
    transaction control and PRAGMAs do not)."""
    text = _LEADING.sub("", statement, count=1)
    verb = text.split(None, 1)[0].upper() if text.strip() else ""
    if verb in _WRITE_VERBS:
        return True
    return verb == "WITH" and bool(_DML.search(_FOR_UPDATE.sub("", text)))


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_writes(_conn, _cursor, statement, _parameters, _context, _executemany):
    method = _in_safe_request.get()
    if method is not None and writes(statement):
        raise WriteInSafeRequest(
            f"a {method} request tried to change the database "
            f"({statement.split(None, 1)[0]} …); state changes go through POST routes")


class SafeMethods:
    """WSGI middleware: marks GET, HEAD and OPTIONS requests for the whole of their
    handling, the response body included (a streamed download)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        _in_safe_request.set(method if method in SAFE_METHODS else None)
        try:
            body = self.wsgi_app(environ, start_response)
        except BaseException:
            _in_safe_request.set(None)
            raise
        return _Body(body)


class _Body:
    """The response iterable, unmarking the request when the server closes it."""

    def __init__(self, body):
        self._body = body

    def __iter__(self):
        return iter(self._body)

    def close(self):
        try:
            if hasattr(self._body, "close"):
                self._body.close()
        finally:
            _in_safe_request.set(None)
