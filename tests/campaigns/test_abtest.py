"""A/B tests of the subject: a sample split equally between the subjects, the winner by
unique clicks (recorded through the real click endpoint) after the wait on a clock the
test moves, then the winner to the rest: every recipient gets exactly one message."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from newsletter import jobs, queue
from newsletter.campaigns import abtest, lifecycle
from newsletter.content import webview
from newsletter.extensions import db
from newsletter.models import AbTest, CampaignStatus, Delivery
from newsletter.platform import clock
from tests.factories import composed, list_with_contacts
from tests.tracking.helpers import BLOCKS, html_links, path_of, received

EMAILS = [f"r{n}@example.com" for n in range(10)]


@pytest.fixture(autouse=True)
def _clock():
    yield
    clock.reset()


def _ab_form(client, campaign, **fields):
    return client.post(f"/admin/campaigns/{campaign.id}/ab-test", data={
        "subject_1": "Spring sale", "subject_2": "Last days: 30 % off", "subject_3": "",
        "subject_4": "", "sample_percent": "40", "wait_minutes": "240", "metric": "clicks",
        **fields})


def _reap(worker):
    """The reaper, run as the worker runs it."""
    queue.enqueue(queue.SENDING, "newsletter.jobs.reap", job_timeout=300)
    worker()


def _subjects(smtp_server) -> Counter:
    return Counter(str(received(smtp_server, m.rcpt_tos[0])["Subject"])
                   for m in smtp_server.messages)


def _click(client, smtp_server, address):
    link = next(u for u in html_links(received(smtp_server, address)) if "/c/" in u)
    assert client.get(path_of(link)).status_code == 302


def test_sample_split_winner_by_clicks_goes_to_the_rest_once(client, login, worker,
                                                             smtp_server):
    login()
    campaign = composed(list_with_contacts(*EMAILS), BLOCKS)
    response = _ab_form(client, campaign)
    assert response.status_code == 302, response.text
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "A/B test" in page and "Last days: 30 % off" in page

    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    # the sample: 40 % of 10, two per subject; the rest waits
    assert len(smtp_server.messages) == 4
    assert _subjects(smtp_server) == {"Spring sale": 2, "Last days: 30 % off": 2}
    by_subject = {}
    for m in smtp_server.messages:
        by_subject.setdefault(str(received(smtp_server, m.rcpt_tos[0])["Subject"]),
                              []).append(m.rcpt_tos[0])
    html = received(smtp_server, by_subject["Last days: 30 % off"][0]).get_body(
        ("html",)).get_content()
    assert "<title>Last days: 30 % off</title>" in html  # the layout has the variant's too
    for address in by_subject["Last days: 30 % off"]:
        _click(client, smtp_server, address)
    _click(client, smtp_server, by_subject["Last days: 30 % off"][0])  # twice: one clicker
    _click(client, smtp_server, by_subject["Spring sale"][0])
    worker()  # the clicks are recorded

    _reap(worker)  # the wait is not over: nothing more goes
    assert len(smtp_server.messages) == 4
    assert db.session.get(AbTest, campaign.id).winner is None
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "Pick the winner now" in page and "50.0 %" in page and "100.0 %" in page

    clock.advance(timedelta(hours=4, minutes=1))
    _reap(worker)
    test = db.session.get(AbTest, campaign.id)
    assert test.winner == 2 and test.decided_by == "automatically"
    assert len(smtp_server.messages) == len(EMAILS)
    recipients = [m.rcpt_tos[0] for m in smtp_server.messages]
    assert sorted(recipients) == sorted(EMAILS)  # nobody twice, nobody left out
    assert _subjects(smtp_server) == {"Spring sale": 2, "Last days: 30 % off": 8}
    assert db.session.get(type(campaign), campaign.id).status == CampaignStatus.FINISHED
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert 'id="ab-winner">variant 2' in page and "B (winner)" in page
    rows = {r.number: r for r in abtest.results(db.session, campaign.id)}
    assert (rows[1].sent, rows[1].engaged, rows[2].sent, rows[2].engaged) == (2, 1, 2, 2)
    assert rows[2].rest == 6 and rows[1].rest == 0
    # the profile's "messages you received" names the subject each one got
    sample_b = db.session.scalar(select(Delivery).where(
        Delivery.variant == 2, Delivery.ab_rest.is_(False)))
    assert webview.received_subject(db.session, sample_b) == "Last days: 30 % off"


def test_pick_now_is_a_post_and_a_tie_goes_to_the_first(client, login, worker, smtp_server):
    login()
    campaign = composed(list_with_contacts(*EMAILS[:6]), BLOCKS)
    assert _ab_form(client, campaign, sample_percent="50").status_code == 302
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker()
    assert len(smtp_server.messages) == 3  # 50 % of 6, at least one per subject
    url = f"/admin/campaigns/{campaign.id}/ab-test/winner"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    worker()
    assert db.session.get(AbTest, campaign.id).decided_by == "editor@example.com"
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(EMAILS[:6])
    # the sample: two with subject A, one with B; the tie (no clicks) goes to A
    assert _subjects(smtp_server) == {"Spring sale": 5, "Last days: 30 % off": 1}
    assert db.session.scalar(select(func.count()).where(
        Delivery.campaign_id == campaign.id, Delivery.ab_rest.is_(True),
        Delivery.variant == 1)) == 3
    again = client.post(url, follow_redirects=True).text
    assert "already picked" in again


@pytest.mark.parametrize(("fields", "message"), [
    ({"sample_percent": "0"}, "between 1 and 99 %"),
    ({"sample_percent": "100"}, "between 1 and 99 %"),
    ({"subject_2": ""}, "at least two subjects"),
    ({"wait_minutes": "-5"}, "Wait between 1 minute and 7 days"),
    ({"subject_2": "Spring sale"}, "must differ"),
    ({"metric": "opens"}, "Opens are not tracked"),
    ({"subject_2": "Hi {{ nickname }}"}, "unknown merge tag"),
])
def test_bad_input_rerenders_with_field_errors(client, login, fields, message):
    login()
    campaign = composed(list_with_contacts("a@example.com"), BLOCKS)
    response = _ab_form(client, campaign, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="Spring sale"' in response.text  # what was typed is kept
    assert db.session.get(AbTest, campaign.id) is None


def test_the_form_starts_from_the_campaign_subject_and_viewers_cannot_open_it(
        client, login):
    login()
    campaign = composed(list_with_contacts("a@example.com"), BLOCKS, subject="Our news")
    page = client.get(f"/admin/campaigns/{campaign.id}/ab-test").text
    assert 'name="subject_1"' in page and 'value="Our news"' in page
    assert 'name="sample_percent"' in page and 'value="20"' in page
    assert _ab_form(client, campaign).status_code == 302
    page = client.get(f"/admin/campaigns/{campaign.id}/ab-test").text
    assert 'value="Last days: 30 % off"' in page and "Remove the A/B test" in page
    assert client.post(f"/admin/campaigns/{campaign.id}/ab-test/remove").status_code == 302
    assert db.session.get(AbTest, campaign.id) is None

    client.post("/admin/logout")
    login("viewer")
    assert client.get(f"/admin/campaigns/{campaign.id}/ab-test").status_code == 403
    assert _ab_form(client, campaign).status_code == 403
    assert client.get(f"/admin/campaigns/{campaign.id}/local-time").status_code == 403
