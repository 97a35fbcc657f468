"""Real ``newsletter worker`` processes for tests: started against the test app's database,
Redis and SMTP server, each in its own session (so a test can signal the whole group), with
its output in a log file the failure message shows. Import the ``spawn`` fixture into a
test module to use it."""

import contextlib
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest


class Spawned(subprocess.Popen):
    log_path = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""


@pytest.fixture
def spawn(app, tmp_path):
    """``spawn(*args, **env)`` starts ``newsletter worker *args``; NAME=value keyword
    arguments are added to its environment (``SMTP_URL=...``, ``NEWSLETTER_...``)."""
    procs: list[Spawned] = []

    def start(*args, **env):
        environ = {**os.environ,
                   "DATABASE_URL": app.config["DATABASE_URL"],
                   "REDIS_URL": app.config["REDIS_URL"],
                   "SMTP_URL": app.config["SMTP_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
                   "NEWSLETTER_INSTANCE_PATH": str(tmp_path),
                   **{k: str(v) for k, v in env.items()}}
        path = tmp_path / f"worker{len(procs)}.log"
        with open(path, "wb") as log:
            proc = Spawned([sys.executable, "-m", "newsletter", "worker", *args],
                           env=environ, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
        proc.log_path = path
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        kill_tree(proc.pid)
        proc.wait()


def kill_tree(pid: int) -> None:
    """SIGKILL a process, its group, and whatever it left behind (orphans included)."""
    with_children = []
    with contextlib.suppress(psutil.NoSuchProcess):
        with_children = psutil.Process(pid).children(recursive=True)
    for target in (pid, *(p.pid for p in with_children)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def wait_for(condition, timeout: float = 60.0, message: str = "timed out"):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, message() if callable(message) else message
        time.sleep(0.05)
    return value


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for its reaper counts as exited)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
