"""RQ workers that run every job inside the Flask app context, beat a heartbeat into Redis
while they live (pages say when no worker is alive), and take their work-horse and
scheduler down with them."""

import contextlib
import ctypes
import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime

import redis
from rq import SimpleWorker, Worker
from rq.connections import parse_connection
from rq.exceptions import SchedulerNotFound
from rq.scheduler import RQScheduler
from rq.scripts import release_lock

from newsletter.platform import health
from newsletter.sending import engine

from . import queue
from .extensions import db

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
#: RQ's scheduler beats every second; one silent this long is dead and its lock is taken
SCHEDULER_DEAD_AFTER = 15
#: how often a worker without a scheduler process tries to start one (RQ alone: 10 minutes)
SCHEDULER_RETRY_SECONDS = 5
#: RQ's worker TTL: its idle wait for a job is 15 s shorter, and bounds how long the worker
#: goes without looking after its scheduler
WORKER_TTL = 25


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
        kwargs.setdefault("worker_ttl", WORKER_TTL)
        super().__init__(*args, **kwargs)
        self._scheduler_tried = 0.0
        self._burst = False
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
        self._take_dead_schedulers_locks()
        self.scheduler.acquire_locks()
        self._scheduler_tried = time.monotonic()
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

    def _take_dead_schedulers_locks(self) -> None:
        """A scheduler killed with its worker (SIGKILL to the whole group) keeps its
        queues' locks for a minute, and RQ retries only every ten: a worker restarted at
        once would run without scheduled jobs (reruns, the reaper) that long. Take the
        locks of a scheduler that stopped beating."""
        for name in self.scheduler._queue_names:
            key = RQScheduler.get_locking_key(name)
            holder = self.connection.get(key)
            if holder is None:
                continue
            holder = holder.decode()
            try:
                seen = RQScheduler.fetch(holder, self.connection).last_heartbeat
            except SchedulerNotFound:
                seen = None
            age = (datetime.now(UTC) - seen).total_seconds() if seen else None
            if (age is None or age > SCHEDULER_DEAD_AFTER) and \
                    release_lock(self.connection, key, holder):
                log.info("took the scheduler lock of %s from dead scheduler %s", name, holder)

    def _scheduler_missing(self) -> bool:
        if self.scheduler is None or self._burst:
            return False
        process = self.scheduler._process
        return not (process and process.is_alive()) and \
            time.monotonic() - self._scheduler_tried > SCHEDULER_RETRY_SECONDS

    @property
    def should_run_maintenance_tasks(self):
        return super().should_run_maintenance_tasks or self._scheduler_missing()

    def run_maintenance_tasks(self):
        """RQ's, every ten minutes; in between, start the scheduler whose locks another
        worker held when this one started, as soon as they are free."""
        if super().should_run_maintenance_tasks:
            super().run_maintenance_tasks()
        if self._scheduler_missing():
            self._take_dead_schedulers_locks()
            self.scheduler.acquire_locks(auto_start=True)
            self._scheduler_tried = time.monotonic()

    def work(self, burst=False, *args, **kwargs):
        self._burst = burst
        _, pool_class, pool_kwargs = parse_connection(self.connection)
        conn = redis.Redis(connection_pool=redis.ConnectionPool(
            connection_class=pool_class, **pool_kwargs))
        health.beat(conn, self.name, self.kinds)  # alive before the first job is taken
        thread = threading.Thread(target=self._beat, args=(conn,), daemon=True,
                                  name="heartbeat")
        thread.start()
        try:
            return super().work(burst, *args, **kwargs)
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
