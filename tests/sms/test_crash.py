"""A real forked `newsletter worker` killed with SIGKILL in the middle of an SMS campaign to
the local SMPP server: every number gets its message, at most the ones in flight twice (the
one being sent, or the gateway's send window), and the quota ends charged for exactly the
messages recorded as sent."""

import os
import signal
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from newsletter import jobs
from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.models import Delivery
from newsletter.sending import sms
from newsletter.sms import quota
from tests.processes import spawn, wait_for  # noqa: F401  (spawn is a fixture)
from tests.sms.test_sending import sms_campaign, sms_contact

M = 30
LEASE = 5


@pytest.mark.parametrize("window", [1, 4])
def test_sigkill_mid_sms_campaign(app, spawn, smpp_server, window):  # noqa: F811
    smpp_server.delay = 0.03
    mlist = lists.create_list(db.session, "Phones", optin="single")
    for i in range(M):
        sms_contact(mlist, f"r{i:02}@example.com", f"+4219051230{i:02}")
    quota.top_up(db.session, 100)
    db.session.commit()
    campaign = sms_campaign(mlist, text="Hi {{ first_name }}", gateway="op")
    sms.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    env = {"NEWSLETTER_SMS_GATEWAYS": f'{{"op": "{smpp_server.url}?window={window}"}}',
           "NEWSLETTER_SEND_LEASE_SECONDS": LEASE, "NEWSLETTER_SEND_BATCH_SIZE": 5}
    worker = spawn(**env)
    wait_for(lambda: len(smpp_server.submits) >= 10, message=worker.log)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    time.sleep(LEASE + 0.1)  # the dead worker's lease runs out
    jobs.reap()
    assert spawn("--burst", **env).wait(120) == 0
    counts = Counter(s.destination_addr for s in smpp_server.submits)
    assert len(counts) == M  # every number got it
    assert sum(n - 1 for n in counts.values()) <= window  # at most the messages in flight
    db.session.expire_all()
    sent = db.session.scalar(select(func.count()).where(Delivery.state == "sent"))
    assert sent == M
    assert quota.balance(db.session) == quota.Balance(100 - M, 0)
