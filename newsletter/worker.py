"""RQ workers that run every job inside the Flask app context."""

import os

from rq import SimpleWorker, Worker

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
    """Production worker: each job runs in a forked work-horse."""


class SimpleAppWorker(AppContextMixin, SimpleWorker):
    """Runs jobs in-process (tests, and platforms without fork)."""
