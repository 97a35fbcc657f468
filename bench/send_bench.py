"""make bench-send: the sending engine against Postfix's smtp-sink on loopback.

Prints one line per scenario:
send scenario=<name> backend=<b> n=<n> workers=<w> seconds=<s> msgs_per_s=<x>
     ceiling_msgs_per_s=<c> ratio=<x/c> peak_worker_rss_mb=<m> message_bytes=<b>
     [materialize_seconds=<s> sent=<k>]   (million: start time of n recipients, then the
                                            first min(n, 100,000) are sent)
The ceiling is a bare smtplib loop sending the scenario's pre-built message (the campaign's
message for its first recipient, built as the worker builds it) over one connection to the
same sink, measured in the same run: before and after the workers, averaged.

Sizes: --n recipients, --ceiling-n messages of the ceiling loop. Database and Redis: a
scratch app (bench/common.py: migrations on SQLite, or on a scratch schema of
BENCH_DATABASE_URL; BENCH_REDIS_URL or an embedded Redis). Exits non-zero, printing no
result line, when fewer messages than expected were sent."""

import argparse
import os
import resource
import shutil
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, update

from bench.common import backend, generate_subscribers, scratch_app
from newsletter import jobs
from newsletter.audience import lists
from newsletter.campaigns import drafts, lifecycle
from newsletter.channels.base import OutgoingMessage
from newsletter.content import rendering
from newsletter.extensions import db
from newsletter.models import Campaign, Contact, Delivery, SenderIdentity
from newsletter.sending import engine
from newsletter.sending.dkim import generate_private_key
from newsletter.sending.messages import MessageFactory, Recipient

HTML = ('<table width="100%"><tr><td>'
        "<h1>Hello {{ first_name | default('friend') }},</h1>"
        + "".join(f"<p>News item {i}: lorem ipsum dolor sit amet, consectetur adipiscing "
                  f'elit. <a href="https://shop.example.com/item/{i}">Read more</a></p>'
                  for i in range(12))
        + "</td></tr></table>")  # about 3 KB, twelve tracked links


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink() -> tuple[subprocess.Popen, int]:
    sink = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    port = free_port()
    proc = subprocess.Popen([sink, "-u", "nobody", f"127.0.0.1:{port}", "256"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("smtp-sink did not start")


def sample_message(app, campaign_id: int) -> OutgoingMessage:
    """The campaign's message for its first recipient, built as the worker builds it (same
    size, layout, tracked links, list headers, DKIM signature): what the ceiling sends."""
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        delivery = db.session.scalar(select(Delivery).where(Delivery.campaign_id == campaign_id)
                                     .order_by(Delivery.id).limit(1))
        contact = db.session.get(Contact, delivery.contact_id)
        recipient = Recipient(
            delivery_id=delivery.id, campaign_id=campaign_id, address=delivery.address,
            contact_id=contact.id, first_name=contact.first_name, last_name=contact.last_name,
            language=contact.language, attributes=contact.attributes,
            profile_url=f"{app.config['BASE_URL']}/p/ABCD2345?s=" + "x" * 60)
        policy = engine.SendPolicy.from_config(app.config)
        factory = MessageFactory(campaign, base_url=policy.base_url,
                                 default_from=policy.default_from, session=db.session)
        message = factory.build(recipient)
        db.session.commit()  # the link rows the first batch would create
        return message


def ceiling(port: int, n: int, message: OutgoingMessage) -> float:
    """A bare smtplib loop sending the pre-built message over one connection."""
    with smtplib.SMTP("127.0.0.1", port) as conn:
        started = time.perf_counter()
        for _ in range(n):
            conn.sendmail(message.sender, [message.recipient], message.data)
        return n / (time.perf_counter() - started)


def prepare(app, n: int, dkim: bool) -> tuple[int, float]:
    with app.app_context():
        mlist = lists.create_list(db.session, "Bench")
        sender = SenderIdentity(name="Bench", from_name="Bench", from_email="news@bench.example",
                                rate_limit=100_000_000, rate_period="hour")  # not binding
        if dkim:
            sender.dkim_selector, sender.dkim_domain = "nl1", "bench.example"
            sender.dkim_private_key = generate_private_key()
        db.session.add(sender)
        db.session.commit()
        generate_subscribers(mlist.id, n)
        content = rendering.prepare(HTML, None, "Hello {{ first_name }}")  # as the composer
        campaign = drafts.save_campaign(
            db.session, None, name="Bench", subject=content.subject,
            body_text=content.body_text, list_ids=[mlist.id], sender_id=sender.id)
        campaign.body_html = content.body_html
        db.session.commit()
        started = time.perf_counter()
        lifecycle.start_campaign(db.session, campaign.id)
        db.session.commit()
        return campaign.id, time.perf_counter() - started


def run_workers(app, tmp: Path, campaign_id: int, workers: int, stop_after: int | None):
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"],
           "REDIS_URL": app.config["REDIS_URL"], "SMTP_URL": app.config["SMTP_URL"],
           "SECRET_KEY": "bench", "NEWSLETTER_INSTANCE_PATH": str(tmp),
           "NEWSLETTER_SEND_PARALLEL_JOBS": str(max(workers, 1))}
    with app.app_context():
        jobs.enqueue_send(campaign_id)
    started = time.perf_counter()
    logs = [(tmp / f"worker-{i}.log").open("wb") for i in range(workers)]
    procs = [subprocess.Popen([sys.executable, "-m", "newsletter", "worker", "--burst"],
                              env=env, stdout=subprocess.DEVNULL, stderr=log)
             for log in logs]
    for log in logs:
        log.close()  # each worker has its own copy
    while any(p.poll() is None for p in procs):
        time.sleep(0.5)
        if stop_after:
            with app.app_context():
                sent = db.session.scalar(select(func.count()).where(
                    Delivery.campaign_id == campaign_id, Delivery.state == "sent"))
                if sent >= stop_after:
                    db.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                                       .values(status="cancelled"))
                db.session.commit()
    seconds = time.perf_counter() - started
    with app.app_context():
        sent = db.session.scalar(select(func.count()).where(
            Delivery.campaign_id == campaign_id, Delivery.state == "sent"))
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return sent, seconds, rss_mb


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="personalized",
                        choices=["personalized", "dkim", "two-workers", "million"])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--ceiling-n", type=int, default=20_000)
    args = parser.parse_args()
    sink, port = start_sink()
    try:
        with scratch_app(SMTP_URL=f"smtp://127.0.0.1:{port}") as (app, tmp):
            print(run(app, tmp, port, args), flush=True)
    finally:
        sink.terminate()
        sink.wait(10)


def run(app, tmp: Path, port: int, args) -> str:
    """One scenario on the scratch app; returns its result line."""
    workers = 2 if args.scenario == "two-workers" else 1
    campaign_id, materialize_s = prepare(app, args.n, dkim=args.scenario == "dkim")
    message = sample_message(app, campaign_id)
    before = ceiling(port, args.ceiling_n, message)
    stop = min(args.n, 100_000) if args.scenario == "million" else None
    sent, seconds, rss = run_workers(app, tmp, campaign_id, workers, stop)
    if sent < (stop or args.n):
        logs = "".join(log.read_text(errors="replace")[-3000:]
                       for log in sorted(tmp.glob("worker-*.log")))
        raise SystemExit(f"{logs}\nsend scenario={args.scenario}: only {sent} of "
                         f"{stop or args.n} messages sent (the workers' log ends above)")
    c = (before + ceiling(port, args.ceiling_n, message)) / 2  # before and after the run
    rate = sent / seconds
    return (f"send scenario={args.scenario} backend={backend(app)} n={args.n} "
            f"workers={workers} seconds={seconds:.1f} msgs_per_s={rate:.0f} "
            f"ceiling_msgs_per_s={c:.0f} ratio={rate / c:.2f} peak_worker_rss_mb={rss:.0f} "
            f"message_bytes={len(message.data)}"
            + (f" materialize_seconds={materialize_s:.1f} sent={sent}"
               if args.scenario == "million" else ""))

if __name__ == "__main__":
    main()
