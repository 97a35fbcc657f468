"""Queues by priority: subscriber mail, then sending, then tracking, then bulk work; each job
goes to its queue, and a worker takes the next job from the first queue that has one."""

import io
from collections import Counter

from rq.job import Job
from rq.registry import FinishedJobRegistry
from sqlalchemy import select

from newsletter import jobs, queue
from newsletter.campaigns import lifecycle
from newsletter.extensions import db
from newsletter.imports import pipeline
from newsletter.models import Contact, Link
from newsletter.tracking import clicks
from tests.factories import draft, list_with_contacts
from tests.processes import spawn, wait_for  # noqa: F401


def queued() -> dict[str, list[str]]:
    """Function names waiting in each queue."""
    return {kind: [job.func_name.rsplit(".", 1)[1] for job in queue.get_queue(kind).jobs]
            for kind in queue.KINDS}


def started_order() -> list[str]:
    """Queues of the finished jobs, in the order they started."""
    found = [Job.fetch(job_id, connection=queue.get_redis()) for q in queue.get_queues()
             for job_id in FinishedJobRegistry(queue=q).get_job_ids()]
    return [job.origin.rsplit("-", 1)[1] for job in sorted(found, key=lambda j: j.started_at)]


def test_each_job_goes_to_the_queue_of_its_kind(app, weekly):
    campaign = draft(list_with_contacts("a@example.com"))
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    contact_id = db.session.scalar(select(Contact.id))
    jobs.enqueue_subscriber_mail("login", contact_id)
    link = Link(campaign_id=campaign.id, url="https://a.example/")
    db.session.add(link)
    imp = pipeline.store_upload(db.session, weekly.id, io.BytesIO(b"email\na@example.sk\n"),
                                "a.csv", "editor@example.com")
    db.session.commit()
    clicks.push_event(queue.get_redis(), "c", link.id, 0)
    jobs.enqueue_import(imp.id)
    found = queued()
    assert set(found["sending"]) == {"send_campaign"}
    assert found["subscriber"] and found["tracking"] == ["record_click_events"]
    assert found["bulk"] == ["run_import"]


def test_a_worker_serves_the_queues_by_priority(app, worker):
    for kind in reversed(queue.KINDS):  # the least urgent first
        queue.enqueue(kind, "newsletter.jobs.record_click_events")
    worker()
    assert started_order() == ["subscriber", "sending", "tracking", "bulk"]


def test_a_worker_serves_only_the_queues_it_is_given(app, spawn):  # noqa: F811
    for kind in queue.KINDS:
        queue.enqueue(kind, "newsletter.jobs.record_click_events")
    worker = spawn("--burst", "--queues", "tracking,subscriber")
    assert worker.wait(60) == 0, worker.log()
    assert started_order() == ["subscriber", "tracking"]
    assert [len(queue.get_queue(kind)) for kind in queue.KINDS] == [0, 1, 0, 1]
    refused = spawn("--burst", "--queues", "sending,mail")
    assert refused.wait(60) == 2 and "mail: choose from subscriber,sending" in refused.log()


def test_subscriber_mail_goes_out_between_the_slices_of_a_long_send(app, spawn, smtp_server):  # noqa: F811
    """One worker serving every queue: the campaign's batch jobs hand over every
    SEND_SLICE_SECONDS, so a confirmation does not wait for the whole campaign."""
    smtp_server.handler.delay = 0.04
    emails = [f"r{i:03}@example.com" for i in range(80)]
    campaign = draft(list_with_contacts(*emails))
    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    jobs.enqueue_send(campaign.id)
    worker = spawn(NEWSLETTER_SEND_SLICE_SECONDS="1", NEWSLETTER_SEND_PARALLEL_JOBS=1)
    wait_for(lambda: len(smtp_server.messages) >= 5, 30, worker.log)
    contact_id = db.session.scalar(select(Contact.id).where(Contact.email == "r000@example.com"))
    jobs.enqueue_subscriber_mail("login", contact_id)
    wait_for(lambda: len(smtp_server.messages) == len(emails) + 1, 90, worker.log)
    counts = Counter(m.rcpt_tos[0] for m in smtp_server.messages)
    assert counts == {**dict.fromkeys(emails, 1), "r000@example.com": 2}
    login_at = [i for i, m in enumerate(smtp_server.messages)
                if m.rcpt_tos == ["r000@example.com"]][1]
    assert login_at < len(emails), worker.log()  # not after the campaign's end
    # and by the mechanism, whatever the machine's speed: slices of the send started after
    # the subscriber mail job had finished
    wait_for(lambda: len(finished_jobs()["send_campaign"]) >= 2, 30, worker.log)
    done = finished_jobs()
    [mail_job] = done["send_subscriber_mail"]
    assert any(job.started_at > mail_job.ended_at for job in done["send_campaign"]), \
        worker.log()


def finished_jobs() -> dict[str, list[Job]]:
    found: dict[str, list[Job]] = {}
    for q in queue.get_queues():
        for job_id in FinishedJobRegistry(queue=q).get_job_ids():
            job = Job.fetch(job_id, connection=queue.get_redis())
            found.setdefault(job.func_name.rsplit(".", 1)[1], []).append(job)
    return found
