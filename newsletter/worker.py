"""RQ workers that run every job inside the Flask app context, beat a heartbeat into Redis
while they live (pages say when no worker is alive), and take their work-horse and
scheduler down with them."""

import contextlib
import ctypes
import logging
import os
import signal
import threading

import redis
from rq import SimpleWorker, Worker
from rq.connections import parse_connection
from rq.scheduler import RQScheduler

from newsletter.platform import health
from newsletter.sending import engine

from . import queue
from .extensions import db

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int, sig: int = signal.SIGTERM) -> None:
    """Have the kernel send ``sig`` to this process when its parent exits (Linux), and send
    it now if the parent is already gone. Install the handler for ``sig`` first."""
    with contextlib.suppress(OSError, AttributeError):  # elsewhere: the parent-pid checks
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)


class Scheduler(RQScheduler):
    """RQ's scheduler process, stopped (its locks released) when its worker dies, however
    it dies: a SIGKILLed worker must not leave a scheduler behind."""

    def start(self):
        self.parent_pid = os.getpid()
        return super().start()

    def _install_signal_handlers(self):
        super()._install_signal_handlers()  # SIGTERM: stop after this round
        die_with_parent(self.parent_pid)


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

    def _start_scheduler(self, burst=False, logging_level="INFO", date_format=None,
                         log_format=None):
        """RQ's own, with the scheduler that dies with its worker."""
        options = {k: v for k, v in (("date_format", date_format), ("log_format", log_format))
                   if v is not None}
        self.scheduler = Scheduler(
            self.queues, connection=self.connection, serializer=self.serializer,
            logging_level=logging_level if logging_level is not None else self.log.level,
            **options)
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if burst:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()
            finally:
                self.scheduler.release_locks()
                self.scheduler.register_death()
        else:
            self.scheduler.start()

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
        """In the horse: SIGTERM stops the job between messages; so does the death of the
        worker (SIGKILL included), which would otherwise leave the horse sending as an
        orphan while the reaper hands its campaign to another worker."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda _signum, _frame: engine.request_stop())
        engine.watch_parent(self._parent_pid)
        die_with_parent(self._parent_pid)

    def request_stop(self, signum, frame):
        super().request_stop(signum, frame)
        if self.horse_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.horse_pid, signal.SIGTERM)


class SimpleAppWorker(AppContextMixin, SimpleWorker):
    """Runs jobs in-process (tests, and platforms without fork)."""
