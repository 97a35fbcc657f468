"""RQ workers that run every job inside the Flask app context, beat a heartbeat into Redis
while they live (pages say when no worker is alive), and take their work-horse and
scheduler down with them."""

import contextlib
import logging
import os
import signal
import threading

import redis
from rq import SimpleWorker, Worker
from rq.connections import parse_connection

from newsletter.platform import health
from newsletter.sending import engine

from . import queue
from .extensions import db

log = logging.getLogger(__name__)


class AppContextMixin:
    """Push the app context around each job; after a fork, drop the parent's pooled
    database connections so the work-horse opens its own. A thread beats the worker's
    heartbeat (``platform.health``) every few seconds, on a Redis connection of its own."""

    def __init__(self, *args, app, **kwargs):
        self.app = app
        self._parent_pid = os.getpid()
        super().__init__(*args, **kwargs)
        prefix = app.config["QUEUE_NAME"] + "-"
        self.kinds = [q.name.removeprefix(prefix) for q in self.queues
                      if q.name.removeprefix(prefix) in queue.KINDS]
        self._beating = threading.Event()

    def perform_job(self, *args, **kwargs):
        with self.app.app_context():
            if os.getpid() != self._parent_pid:
                db.engine.dispose(close=False)
            try:
                return super().perform_job(*args, **kwargs)
            finally:
                db.session.remove()

    def work(self, *args, **kwargs):
        _, pool_class, pool_kwargs = parse_connection(self.connection)
        conn = redis.Redis(connection_pool=redis.ConnectionPool(
            connection_class=pool_class, **pool_kwargs))
        health.beat(conn, self.name, self.kinds)  # alive before the first job is taken
        thread = threading.Thread(target=self._beat, args=(conn,), daemon=True,
                                  name="heartbeat")
        thread.start()
        try:
            return super().work(*args, **kwargs)
        finally:
            self._beating.set()
            thread.join(5)
            with contextlib.suppress(redis.RedisError):
                health.retire(conn, self.name, self.kinds)
            conn.close()

    def _beat(self, conn) -> None:
        while not self._beating.wait(health.BEAT_SECONDS):
            try:
                health.beat(conn, self.name, self.kinds)
            except redis.RedisError as exc:  # the worker's own loop reports Redis trouble
                log.debug("heartbeat not written: %s", exc)


class AppWorker(AppContextMixin, Worker):
    """Production worker: each job runs in a forked work-horse. SIGTERM (to the worker or
    its whole process group) lets the horse finish and record the message in flight, hand
    back its other claims and return, so a stop loses and duplicates nothing."""

    def setup_work_horse_signals(self):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda _signum, _frame: engine.request_stop())

    def request_stop(self, signum, frame):
        super().request_stop(signum, frame)
        if self.horse_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.horse_pid, signal.SIGTERM)


class SimpleAppWorker(AppContextMixin, SimpleWorker):
    """Runs jobs in-process (tests, and platforms without fork)."""
