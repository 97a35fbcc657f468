"""A sender's pool of SMTP servers: a campaign's messages are spread over two real SMTP
servers by weight; when one cannot be reached its share goes to the other (nothing lost,
nothing sent twice, no attempt spent) until it answers again; a sender without a pool
still sends through SMTP_URL."""

import time
from collections import Counter

from sqlalchemy import select

from newsletter import jobs, queue
from newsletter.channels import servers
from newsletter.channels.circuit import Circuit
from newsletter.extensions import db
from newsletter.models import Delivery
from newsletter.sending import senders
from tests.channels.servers import second_smtp_server
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start, states

EMAILS = [f"reader{n:02d}@example.com" for n in range(40)]


def sender_with_pool(app, members: list[tuple[str, object, int]]) -> int:
    identity = senders.save_sender(db.session, None, name="News", from_name="News",
                                   from_email="news@example.com", reply_to="",
                                   rate_limit=100, rate_period="second", dkim_selector="")
    weights = {}
    for name, server, weight in members:
        saved = servers.save_mail_server(db.session, app.config, None, servers.MailServerData(
            name, server.host, server.port, "plain", timeout=5))
        weights[saved.id] = weight
    servers.set_pool(db.session, identity.id, weights)
    db.session.commit()
    return identity.id


def recipients(server) -> list[str]:
    return [address for m in server.messages for address in m.rcpt_tos]


def attempts() -> dict[str, int]:
    db.session.expire_all()
    return dict(db.session.execute(select(Delivery.address, Delivery.attempts)).all())


def test_a_campaign_is_spread_over_the_pool_by_weight(app, worker, smtp_server):
    with second_smtp_server() as other:
        sender_id = sender_with_pool(app, [("A", smtp_server, 3), ("B", other, 1)])
        start(draft(list_with_contacts(*EMAILS), sender_id=sender_id))
        worker()
        first, second = recipients(smtp_server), recipients(other)
    assert states() == dict.fromkeys(EMAILS, "sent")
    assert sorted(first + second) == sorted(EMAILS)  # each exactly once
    assert (len(first), len(second)) == (30, 10)  # 3 : 1


def test_a_server_that_is_down_hands_its_share_to_the_others(app, worker, smtp_server):
    # probes every 0.3 s at most: each failed probe of the first run would else double the
    # wait, and the 0.4 s below would not be enough for the probe that finds it back
    app.config["SMTP_PROBE_SECONDS"] = app.config["SMTP_PROBE_MAX_SECONDS"] = 0.3
    with second_smtp_server() as other:
        sender_id = sender_with_pool(app, [("A", smtp_server, 1), ("B", other, 1)])
        other.go_down()  # refused: a connection-level failure
        try:
            start(draft(list_with_contacts(*EMAILS), sender_id=sender_id))
            worker()
            assert states() == dict.fromkeys(EMAILS, "sent")
            assert sorted(recipients(smtp_server)) == sorted(EMAILS)  # 0 lost, 0 twice
            assert recipients(other) == []
            assert attempts() == dict.fromkeys(EMAILS, 1)  # the outage spent no attempt
            outage = Circuit(queue.get_redis(), f"{other.host}:{other.port}").outage()
            assert outage is not None and "Connection refused" in outage.reason
            assert Circuit(queue.get_redis(),
                           f"{smtp_server.host}:{smtp_server.port}").outage() is None
        finally:
            other.come_up()
        # back: once its probe is due, it takes its share again
        time.sleep(0.4)
        smtp_server.reset()
        later = [f"later{n:02d}@example.com" for n in range(20)]
        start(draft(list_with_contacts(*later, name="Later"), sender_id=sender_id))
        worker()
        first, second = recipients(smtp_server), recipients(other)
    assert sorted(first + second) == sorted(later)
    assert len(second) >= 8 and len(first) >= 8
    assert Circuit(queue.get_redis(), f"{other.host}:{other.port}").outage() is None


def test_every_server_of_the_pool_down_waits_and_loses_nothing(app, worker, smtp_server,
                                                               client, login):
    login()
    app.config["SMTP_PROBE_SECONDS"] = 0.3
    with second_smtp_server() as other:
        sender_id = sender_with_pool(app, [("A", smtp_server, 1), ("B", other, 2)])
        campaign = draft(list_with_contacts(*EMAILS[:6]), sender_id=sender_id)
        smtp_server.go_down()
        other.go_down()
        try:
            start(campaign)
            worker()
            assert states() == dict.fromkeys(EMAILS[:6], "queued")
            assert attempts() == dict.fromkeys(EMAILS[:6], 0)
            live = client.get(f"/admin/campaigns/{campaign.id}/status.json").json
            assert live["status"] == "running" and live["queued"] == 6
            assert "Connection refused" in live["mail_server"]["reason"]  # the status tab
        finally:
            smtp_server.come_up()
            other.come_up()
        time.sleep(0.4)
        jobs.enqueue_send(campaign.id)
        worker()
        got = recipients(smtp_server) + recipients(other)
    assert states() == dict.fromkeys(EMAILS[:6], "sent")
    assert sorted(got) == sorted(EMAILS[:6])
    assert Counter(got).most_common(1)[0][1] == 1


def test_without_a_pool_smtp_url_serves(app, worker, smtp_server):
    identity = senders.save_sender(db.session, None, name="Plain", from_name="Plain",
                                   from_email="plain@example.com", reply_to="",
                                   rate_limit=100, rate_period="second", dkim_selector="")
    db.session.commit()
    start(draft(list_with_contacts(*EMAILS[:3]), sender_id=identity.id))
    worker()
    assert sorted(recipients(smtp_server)) == sorted(EMAILS[:3])


def test_a_server_that_drops_out_mid_run_fails_over_at_once(app, smtp_server):
    """Straight through the pool messenger: the second server goes down while its
    connection is open; the next message meant for it goes to the first."""
    from newsletter.channels.base import OutgoingMessage
    from newsletter.sending import pools

    with second_smtp_server() as other:
        sender_id = sender_with_pool(app, [("A", smtp_server, 1), ("B", other, 1)])
        route = pools.email_route(db.session, app.config, queue.get_redis(), sender_id)
        pool = route.messenger

        def send(n):
            data = f"Subject: {n}\r\n\r\nbody {n}\r\n".encode()
            return pool.send(OutgoingMessage("news@example.com", f"r{n}@example.com", data))

        try:
            send(1), send(2)
            assert len(recipients(smtp_server)) == len(recipients(other)) == 1
            other.go_down()
            for n in range(3, 9):
                send(n)
        finally:
            pool.close()
            other.come_up()
        got = recipients(smtp_server) + recipients(other)
    assert sorted(got) == sorted(f"r{n}@example.com" for n in range(1, 9))  # none lost
    assert len(recipients(other)) == 1  # nothing after it went down
    assert route.shared.circuit.enter("x") == (0, 0.0)  # the pool goes on without it


def test_a_servers_own_rate_passes_it_over(app, worker):
    # servers of their own: A's rate of one a minute must not bind other tests' servers
    with second_smtp_server() as rated, second_smtp_server() as other:
        sender_id = sender_with_pool(app, [("A", rated, 1), ("B", other, 1)])
        db.session.execute(db.update(servers.MailServer).where(
            servers.MailServer.name == "A").values(rate_per_minute=1))  # one a minute
        db.session.commit()
        start(draft(list_with_contacts(*EMAILS[:20]), sender_id=sender_id))
        began = time.monotonic()
        worker()
        elapsed = time.monotonic() - began
        first, second = recipients(rated), recipients(other)
    assert sorted(first + second) == sorted(EMAILS[:20])
    assert elapsed < 60  # the run fits in one of A's minutes, so A's rate binds
    assert 1 <= len(first) <= 2  # A kept to its rate (a minute's edge may let one more)
    assert len(second) >= 18  # B took the rest


def test_a_server_whose_password_cannot_be_read_is_left_out_with_the_reason(
        app, worker, smtp_server):
    with second_smtp_server() as other:
        sender_id = sender_with_pool(app, [("A", smtp_server, 1), ("B", other, 1)])
        server = db.session.scalar(select(servers.MailServer).where(
            servers.MailServer.name == "B"))
        server.username = "u"
        server.password_encrypted = servers.credentials.encrypt(
            {**app.config, "CREDENTIALS_KEY": "an old key"}, "pw")
        db.session.commit()
        start(draft(list_with_contacts(*EMAILS[:6]), sender_id=sender_id))
        worker()
        assert sorted(recipients(smtp_server)) == sorted(EMAILS[:6])
        assert recipients(other) == []
        outage = Circuit(queue.get_redis(), f"{other.host}:{other.port}").outage()
    assert "B: The stored password cannot be decrypted" in outage.reason
