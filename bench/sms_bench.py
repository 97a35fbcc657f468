"""make bench-sms: SMS campaigns through the SMPP messenger to a local SMPP server
(tests/smpp_server.py, in this process), one `newsletter worker --burst`.

Prints one line:
sms backend=<b> n=<n> parts=<p> seconds=<s> parts_per_s=<x> peak_worker_rss_mb=<m>
    start_seconds=<s>
(parts: the parts sent, each a submit_sm, up to the gateway's send window of messages
unanswered; seconds: the worker's run, start-up included; start_seconds: the start, where
every recipient's text is merged and counted and the parts reserved; worker_cpu_seconds:
the CPU time the worker used, which says what a loaded machine's wall clock hides). The
text is two GSM-7 parts with a merge tag.

Size: --n recipients. Database and Redis: a scratch app (bench/common.py). Exits non-zero,
printing no result line, when fewer messages than expected were sent."""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from bench.common import backend, scratch_app
from newsletter import jobs
from newsletter.audience import lists
from newsletter.campaigns import drafts
from newsletter.extensions import db
from newsletter.models import Channel, Delivery
from newsletter.sending import sms
from newsletter.sms import quota
from tests.smpp_server import SMPPTestServer

TEXT = "Hello {{ first_name }}, " + "this week's offers are in the shop: " * 5  # 2 parts


def generate(list_id: int, n: int) -> None:
    """n active contacts with valid mobile numbers, confirmed on the list for SMS."""
    postgres = db.engine.dialect.name == "postgresql"
    series = ("SELECT generate_series(1, :n) AS x" if postgres
              else "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s "
                   "WHERE x < :n) SELECT x FROM s")
    digits = "lpad(x::text, 6, '0')" if postgres else "printf('%06d', x)"
    with db.engine.begin() as conn:
        conn.execute(text(
            f"INSERT INTO contact (email, phone, first_name, language, attributes, status, "
            f"soft_bounces, tracking_opt_out, created_at) SELECT 'r' || x || '@example.com', "
            f"'+421905' || {digits}, 'Reader', 'en', '{{}}', 'active', 0, FALSE, "
            f"CURRENT_TIMESTAMP FROM ({series}) q"), {"n": n})
        conn.execute(text(
            "INSERT INTO subscription (contact_id, list_id, channel, status, created_at) "
            "SELECT id, :list_id, 'sms', 'confirmed', CURRENT_TIMESTAMP FROM contact"),
            {"list_id": list_id})


def prepare(app, n: int) -> tuple[int, float]:
    with app.app_context():
        mlist = lists.create_list(db.session, "Bench")
        db.session.commit()
        generate(mlist.id, n)
        campaign = drafts.save_campaign(db.session, None, name="Bench", subject="",
                                        body_text="", list_ids=[mlist.id], sender_id=None,
                                        channel=Channel.SMS)
        campaign.sms_text, campaign.sms_gateway = TEXT, "bench"
        quota.top_up(db.session, 3 * n)
        db.session.commit()
        started = time.perf_counter()
        sms.start_campaign(db.session, campaign.id)
        db.session.commit()
        return campaign.id, time.perf_counter() - started


def run_worker(app, tmp: Path, campaign_id: int) -> tuple[int, int, float, float, float]:
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"],
           "REDIS_URL": app.config["REDIS_URL"], "SECRET_KEY": "bench",
           "NEWSLETTER_INSTANCE_PATH": str(tmp), "NEWSLETTER_SEND_PARALLEL_JOBS": "1",
           "NEWSLETTER_SMS_GATEWAYS": app.config["SMS_GATEWAYS_JSON"]}
    with app.app_context():
        jobs.enqueue_send(campaign_id)
    started = time.perf_counter()
    with (tmp / "worker.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "newsletter", "worker", "--burst"],
                                env=env, stdout=subprocess.DEVNULL, stderr=log)
    proc.wait()
    seconds = time.perf_counter() - started
    with app.app_context():
        sent, parts = db.session.execute(
            select(func.count(), func.coalesce(func.sum(Delivery.sms_parts), 0))
            .where(Delivery.campaign_id == campaign_id, Delivery.state == "sent")).one()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return sent, parts, seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    server = SMPPTestServer(system_id="bench", password="bench").start()
    server.record = False
    gateways = f'{{"bench": "{server.url}"}}'
    try:
        with scratch_app(SMS_GATEWAYS={"bench": server.url},
                         SMS_GATEWAYS_JSON=gateways) as (app, tmp):
            campaign_id, start_s = prepare(app, args.n)
            sent, parts, seconds, rss, cpu = run_worker(app, tmp, campaign_id)
            if sent < args.n:
                log = (tmp / "worker.log").read_text(errors="replace")[-3000:]
                raise SystemExit(f"{log}\nsms: only {sent} of {args.n} messages sent")
            print(f"sms backend={backend(app)} n={args.n} parts={parts} seconds={seconds:.1f} "
                  f"parts_per_s={parts / seconds:.0f} peak_worker_rss_mb={rss:.0f} "
                  f"start_seconds={start_s:.1f} worker_cpu_seconds={cpu:.1f}", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
