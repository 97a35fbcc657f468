"""The ``newsletter worker`` process: it comes up and serves every job whatever the mail
server does."""

from sqlalchemy import func, select

from newsletter import queue
from newsletter.extensions import db
from newsletter.models import Click, Link
from newsletter.tracking import clicks
from tests.factories import draft, list_with_contacts
from tests.processes import spawn  # noqa: F401
from tests.smtp_server import free_port


def test_a_worker_starts_and_serves_jobs_while_the_mail_server_is_down(app, spawn):  # noqa: F811
    campaign = draft(list_with_contacts("a@example.com"))
    link = Link(campaign_id=campaign.id, url="https://a.example/")
    db.session.add(link)
    db.session.commit()
    clicks.push_event(queue.get_redis(), "c", link.id, 0)  # a job that needs no mail server
    dead = free_port()
    worker = spawn("--burst", SMTP_URL=f"smtp://127.0.0.1:{dead}")
    assert worker.wait(60) == 0, worker.log()
    assert f"warning: cannot connect to plain SMTP 127.0.0.1:{dead}" in worker.log()
    assert "The worker starts anyway" in worker.log()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Click)) == 1
