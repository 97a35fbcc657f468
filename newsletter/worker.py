"""RQ workers that run every job inside the Flask app context."""

import contextlib
import os
import signal

from rq import SimpleWorker, Worker

from newsletter.sending import engine

from .extensions import db


class AppContextMixin:
    """Push the app context around each job; after a fork, drop the parent's pooled
    database connections so the work-horse opens its own."""

    def __init__(self, *args, app, **kwargs):
        self.app = app
        self._parent_pid = os.getpid()
        super().__init__(*args, **kwargs)

    def perform_job(self, *args, **kwargs):
        with self.app.app_context():
            if os.getpid() != self._parent_pid:
                db.engine.dispose(close=False)
            try:
                return super().perform_job(*args, **kwargs)
            finally:
                db.session.remove()


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
