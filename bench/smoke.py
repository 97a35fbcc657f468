"""make bench-smoke: every ``make bench-*`` target at a small size, so the benchmarks cannot
rot unnoticed. First on SQLite + embedded Redis, then, when PostgreSQL and Redis answer on
127.0.0.1 (5432, 6379), on PostgreSQL + Redis: in a scratch database this script creates
and drops (``bench_smoke_<random>``, made through BENCH_SMOKE_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/postgres) and the Redis database
BENCH_SMOKE_REDIS_URL (default redis://127.0.0.1:6379/10, flushed by the benchmarks).

Each benchmark's result lines are printed as they are. Exits 1 when a target fails, prints
fewer result lines than expected (for the backend it ran on), or is missing from TARGETS
below (a new ``bench-*`` target needs its smoke size here)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SIZE = 2000  # recipients, requests, rows
TIMEOUT = 150  # seconds for one target, then it is killed and counted as failed

#: make target -> (make variables for the small size, result line prefix, lines expected)
TARGETS = {
    "bench-send": ({"N": SIZE, "MILLION": SIZE, "CEILING_N": SIZE}, "send", 4),
    "bench-click": ({"BENCH_REQUESTS": SIZE}, "click", 1),
    "bench-import": ({"BENCH_ROWS": SIZE}, "import", 1),
    "bench-blocklist": ({"BENCH_RECIPIENTS": SIZE, "BENCH_ENTRIES": SIZE // 10},
                        "blocklist", 1),
    "bench-tokens": ({"TOKEN_NUMBER": SIZE}, "tokens", 1),  # CPU only: no backend field
    "bench-load": ({"LOAD_RECIPIENTS": SIZE, "LOAD_RPS": 50, "LOAD_SECONDS": 5}, "load", 1),
    "bench-sms": ({"SMS_N": SIZE}, "sms", 1),
    "bench-api": ({"API_CONTACTS": SIZE, "API_BATCH": SIZE // 4}, "api", 1),
    "bench-segment": ({"SEGMENT_CONTACTS": SIZE}, "segment", 1),
}
#: variables of the caller's environment that would point a run elsewhere
CLEARED = ("BENCH_DATABASE_URL", "BENCH_REDIS_URL", "BENCH_POSTGRES_URL", "BENCH_ARGS",
           "BENCH_PORT", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")


def make_targets() -> list[str]:
    """The Makefile's bench-* targets (but this one)."""
    found = re.findall(r"^(bench-[\w-]+):", (ROOT / "Makefile").read_text(), re.MULTILINE)
    return [t for t in dict.fromkeys(found) if t != "bench-smoke"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 2).close()
        return True
    except OSError:
        return False


def run_target(target: str, backend: str, env: dict) -> list[str]:
    """``make <target>`` at the smoke size; returns the problems (none: it passed)."""
    variables, prefix, expected = TARGETS[target]
    command = ["make", "--no-print-directory", "-s", target,
               *(f"{name}={value}" for name, value in variables.items())]
    env = {**env, "BENCH_PORT": str(free_port())}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        output = stop(proc)
        return [f"{target}: stopped after {TIMEOUT} s", output]
    lines = [line for line in output.splitlines() if line.startswith(f"{prefix} ")
             and (f"backend={backend} " in f"{line} " or "backend=" not in line)]
    for line in lines:
        print(line, flush=True)
    problems = []
    if proc.returncode:
        problems.append(f"{target}: exit status {proc.returncode}")
    if len(lines) < expected:
        problems.append(f"{target}: {len(lines)} of {expected} result lines "
                        f"'{prefix} ... backend={backend} ...'")
    return problems + [output] if problems else []


def stop(proc: subprocess.Popen) -> str:
    """Ctrl-C to make and the benchmark (its clean-up runs: servers stopped, scratch schema
    dropped), SIGKILL to all of them if that takes over 30 s; returns the output."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        return proc.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.communicate()[0]


def run_all(backend: str, env: dict) -> list[str]:
    problems = []
    for target in TARGETS:
        problems += run_target(target, backend, env)
    return problems


def with_postgres(env: dict) -> list[str]:
    """Every target on a scratch PostgreSQL database, dropped afterwards."""
    admin_url = make_url(os.environ.get("BENCH_SMOKE_POSTGRES_URL")
                         or "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"bench_smoke_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    print(f"== PostgreSQL + Redis (scratch database {name})", flush=True)
    try:
        scratch = admin_url.set(database=name).render_as_string(hide_password=False)
        redis_url = os.environ.get("BENCH_SMOKE_REDIS_URL") or "redis://127.0.0.1:6379/10"
        return run_all("postgresql", {**env, "BENCH_DATABASE_URL": scratch,
                                      "BENCH_REDIS_URL": redis_url})
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def main() -> int:
    started = time.monotonic()
    missing = [t for t in make_targets() if t not in TARGETS]
    if missing:
        print(f"bench-smoke: no smoke size for {', '.join(missing)} (bench/smoke.py TARGETS)")
        return 1
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    print("== SQLite + embedded Redis", flush=True)
    problems = run_all("sqlite", env)
    if answers(5432) and answers(6379):
        problems += with_postgres(env)
    else:
        print("== PostgreSQL or Redis not answering on 127.0.0.1: second backend skipped")
    seconds = time.monotonic() - started
    if problems:
        print("\n".join(["", "bench-smoke FAILED:", *problems]), file=sys.stderr)
        print(f"bench-smoke: FAILED after {seconds:.0f} s")
        return 1
    print(f"bench-smoke: passed in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
