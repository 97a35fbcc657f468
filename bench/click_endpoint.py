"""Click endpoint benchmark: gunicorn (2 workers) on loopback, a small asyncio load
generator, then the real RQ worker records the clicks. Prints one line:

    click backend=<sqlite|postgresql> rps=<r> p99_ms=<p> recorded=<k> sent=<k>

Targets: >= 1,000 requests/s, p99 < 20 ms, every click recorded (a run where a request
was not redirected or a click not recorded exits 1 without a result line).

Options (defaults from the environment): --requests (BENCH_REQUESTS, 20000), --concurrency
(BENCH_CONCURRENCY, 8), --port (BENCH_PORT, 5104; it must be free), BENCH_WORKER_CLASS
(gthread: keep-alive connections; sync closes after each response). Database and Redis: a
scratch app (bench/common.py: migrations on SQLite, or on a scratch schema of
BENCH_DATABASE_URL; BENCH_REDIS_URL or an embedded Redis).
"""

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import backend, scratch_app
from newsletter import queue
from newsletter.extensions import db
from newsletter.models import Campaign, Click, Delivery, Link
from newsletter.tracking import clicks
from newsletter.worker import SimpleAppWorker

WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")  # keep-alive; or "sync"
LINKS, DELIVERIES = 20, 2000


def app_config(port: int) -> dict:
    return {"BASE_URL": f"http://127.0.0.1:{port}", "QUEUE_NAME": "bench-clicks",
            "RATE_CLICK_IP": "100000000/60"}  # one load generator, one IP


def gunicorn_env(app, tmp: Path) -> dict:
    """The scratch app's settings for the gunicorn workers (wsgi.py reads the environment)."""
    cfg = app.config
    return {"DATABASE_URL": cfg["DATABASE_URL"], "REDIS_URL": cfg["REDIS_URL"],
            "SECRET_KEY": cfg["SECRET_KEY"], "BASE_URL": cfg["BASE_URL"],
            "NEWSLETTER_INSTANCE_PATH": str(tmp), "NEWSLETTER_QUEUE_NAME": cfg["QUEUE_NAME"],
            "NEWSLETTER_RATE_CLICK_IP": cfg["RATE_CLICK_IP"]}


def prepare(app, port: int) -> list[bytes]:
    """A campaign with links and deliveries; returns the raw requests to send."""
    with app.app_context():
        campaign = Campaign(name="bench", subject="bench", status="finished")
        db.session.add(campaign)
        db.session.flush()
        db.session.execute(insert(Link), [{"campaign_id": campaign.id,
                                           "url": f"https://shop.example/item/{i}"}
                                          for i in range(LINKS)])
        db.session.execute(insert(Delivery), [{"campaign_id": campaign.id,
                                               "address": f"r{i}@example.com", "state": "sent"}
                                              for i in range(DELIVERIES)])
        db.session.commit()
        link_ids = list(db.session.scalars(select(Link.id)))
        delivery_ids = list(db.session.scalars(select(Delivery.id)))
        paths = [f"/c/{clicks.message_token(campaign.id, d)}/{link_ids[i % LINKS]}"
                 for i, d in enumerate(delivery_ids)]
        db.engine.dispose()
    return [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode() for p in paths]


def start_gunicorn(env: dict, port: int, workers: int = 2, threads: int = 4) -> subprocess.Popen:
    with socket.socket() as probe:  # another server there would be benchmarked instead
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is taken: set --port or BENCH_PORT")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
         "--worker-class", WORKER_CLASS, "--threads", str(threads), "--keep-alive", "5",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"gunicorn did not answer on port {port}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(15)


async def load(requests: list[bytes], port: int, total: int, concurrency: int):
    """``concurrency`` keep-alive connections sending ``total`` requests in all; returns
    the seconds, the latencies and the number of redirects."""
    latencies: list[float] = []
    redirects = 0
    counter = iter(range(total))

    async def client():
        nonlocal redirects
        reader = writer = None
        for i in counter:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            started = time.perf_counter()
            writer.write(requests[i % len(requests)])
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            redirects += head.startswith(b"HTTP/1.1 302")
            if b"connection: close" in head.lower():
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, redirects


def record(app) -> int:
    """The real RQ worker drains the click events; returns the clicks in the database."""
    with app.app_context():
        SimpleAppWorker(queue.get_queues(), connection=queue.get_redis(), app=app).work(
            burst=True, logging_level="WARNING")  # its progress lines off the output
        return db.session.scalar(select(func.count(Click.id)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int,
                        default=int(os.environ.get("BENCH_REQUESTS", "20000")))
    parser.add_argument("--concurrency", type=int,
                        default=int(os.environ.get("BENCH_CONCURRENCY", "8")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "5104")))
    args = parser.parse_args()
    with scratch_app(**app_config(args.port)) as (app, tmp):
        requests = prepare(app, args.port)
        proc = start_gunicorn(gunicorn_env(app, tmp), args.port)
        try:
            asyncio.run(load(requests, args.port, 200, args.concurrency))  # warm-up
            with app.app_context():
                record(app)  # drain the warm-up
                db.session.execute(text("DELETE FROM click"))
                db.session.commit()
            elapsed, latencies, redirects = asyncio.run(
                load(requests, args.port, args.requests, args.concurrency))
        finally:
            stop(proc)
        recorded = record(app)
        database = backend(app)
    if not redirects == recorded == args.requests:
        raise SystemExit(f"click: {args.requests} requests, {redirects} redirected, "
                         f"{recorded} clicks recorded: every click must be")
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"click backend={database} rps={args.requests / elapsed:.0f} p99_ms={p99:.1f} "
          f"recorded={recorded} sent={redirects}", flush=True)

if __name__ == "__main__":
    main()
