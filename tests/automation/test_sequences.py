"""Welcome and drip sequences: enrolment by each trigger, steps sent at their times (the
clock is the job's ``at``, so no test waits days) through the real RQ worker and SMTP test
server, at most once per contact and step, stopped by unsubscribing, edits reaching only
contacts who have not reached the step, and per-step statistics."""

import threading
import traceback
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from newsletter import jobs
from newsletter.audience import lists
from newsletter.automation import drip, sequences
from newsletter.automation.sequences import SequenceError
from newsletter.campaigns import lifecycle
from newsletter.campaigns.drafts import CampaignError
from newsletter.extensions import db
from newsletter.models import (
    Campaign,
    Contact,
    Delivery,
    Enrolment,
    EnrolmentState,
    SequenceStatus,
    SequenceTrigger,
    StepCampaign,
    utcnow,
)
from newsletter.segments import segments
from tests.automation.sequence_helpers import DAY, compose, message_to, sequence, subjects_to
from tests.factories import list_with_contacts
from tests.public.helpers import link_in, mails_to, public_list
from tests.tracking.helpers import html_links, path_of


def _pass(worker, seq, at: datetime, times: int = 1) -> None:
    """The sequence's job at the clock ``at``, run by the real worker (``times`` copies)."""
    for _ in range(times):
        jobs.enqueue_sequence(seq.id, at=at)
    worker()


def _activate(seq, now):
    sequences.set_active(db.session, seq.id, True, now)
    db.session.commit()


def _find(seq, email) -> Enrolment | None:
    db.session.expire_all()
    return db.session.scalar(select(Enrolment).join(
        Contact, Contact.id == Enrolment.contact_id).where(
        Enrolment.sequence_id == seq.id, Contact.email == email))


def test_welcome_steps_go_at_their_times_once_each(client, app, worker, smtp_server):
    mlist = public_list()
    lists.add_contact_to_list(db.session, mlist.id, "old@example.com")  # before activation
    db.session.commit()
    seq = sequence(mlist, (0, "Welcome {{ first_name }}"), (2 * DAY, "Two days later"))
    t0 = utcnow()
    _activate(seq, t0)
    client.post(f"/subscribe/{mlist.key}", data={"email": "new@example.com",
                                                 "first_name": "Nora"})
    worker()  # the confirmation mail
    client.post(link_in(mails_to(smtp_server, "new@example.com")[0], "/confirm/"))
    smtp_server.reset()

    _pass(worker, seq, t0 + timedelta(minutes=1), times=2)  # the job twice: one welcome
    assert subjects_to(smtp_server, "new@example.com") == ["Welcome Nora"]
    assert subjects_to(smtp_server, "old@example.com") == []  # confirmed before activation
    welcome = message_to(smtp_server, "new@example.com")
    assert "/u/" in welcome["List-Unsubscribe"]  # the engine's footer and headers
    assert any("/c/" in link for link in html_links(welcome))  # tracked links

    _pass(worker, seq, t0 + timedelta(days=1))
    assert len(subjects_to(smtp_server, "new@example.com")) == 1  # step 2 is not due yet
    _pass(worker, seq, t0 + timedelta(days=2, minutes=2), times=2)
    _pass(worker, seq, t0 + timedelta(days=9))
    assert subjects_to(smtp_server, "new@example.com") == ["Welcome Nora", "Two days later"]
    assert _find(seq, "new@example.com").state == EnrolmentState.COMPLETED
    assert _find(seq, "old@example.com") is None


def test_concurrent_passes_claim_a_step_once(app):
    mlist = list_with_contacts(name="Drip")
    seq = sequence(mlist, (0, "One"))
    t0 = utcnow()
    _activate(seq, t0)
    for n in range(5):
        lists.add_contact_to_list(db.session, mlist.id, f"r{n}@example.com")
    db.session.commit()
    first = drip.run(db.session, seq.id, t0 + timedelta(minutes=1))
    second = drip.run(db.session, seq.id, t0 + timedelta(minutes=1))  # a second worker
    db.session.commit()
    assert len(first) == 1 and second == []  # the second finds nothing left to claim
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 5


def test_segment_trigger_enrols_only_those_who_join_after_activation(app, worker,
                                                                      smtp_server):
    mlist = list_with_contacts("before@example.com", "later@example.com", name="Members")
    before = lists.add_contact_to_list(db.session, mlist.id, "before@example.com")
    before.attributes = {"plan": "pro"}
    db.session.commit()
    vip = segments.save_segment(db.session, None, name="Pro", description="", definition={
        "match": "all", "groups": [{"match": "all", "conditions": [
            {"kind": "attribute", "op": "equals", "key": "plan", "value": "pro"}]}]})
    db.session.commit()
    seq = sequence(mlist, (60, "Welcome to Pro"), trigger=SequenceTrigger.SEGMENT,
                   segment_id=vip.id, name="Pro onboarding")
    t0 = utcnow()
    _activate(seq, t0)
    later = lists.add_contact_to_list(db.session, mlist.id, "later@example.com")
    later.attributes = {"plan": "pro"}  # joins the segment now
    db.session.commit()

    _pass(worker, seq, t0 + timedelta(minutes=5))
    assert smtp_server.messages == []  # enrolled, but the step waits an hour
    assert _find(seq, "later@example.com").state == EnrolmentState.ACTIVE
    assert _find(seq, "before@example.com").state == EnrolmentState.BASELINE
    _pass(worker, seq, t0 + timedelta(minutes=70))
    assert subjects_to(smtp_server, "later@example.com") == ["Welcome to Pro"]
    assert subjects_to(smtp_server, "before@example.com") == []


def test_date_trigger_enrols_on_the_day_once_a_year(app, worker, smtp_server):
    mlist = list_with_contacts(name="Friends")
    for email, birthday in (("ann@example.com", "1990-03-14"), ("bob@example.com", "07-01"),
                            ("leap@example.com", "2000-02-29")):
        lists.add_contact_to_list(db.session, mlist.id, email).attributes = \
            {"birthday": birthday}
    db.session.commit()
    seq = sequence(mlist, (0, "Happy birthday"), trigger=SequenceTrigger.DATE,
                   date_attribute="birthday", name="Birthday")
    _activate(seq, utcnow())

    _pass(worker, seq, datetime(2031, 3, 14, 6, 0), times=2)
    _pass(worker, seq, datetime(2031, 3, 14, 18, 0))  # the same day again
    _pass(worker, seq, datetime(2031, 3, 15, 6, 0))
    assert subjects_to(smtp_server, "ann@example.com") == ["Happy birthday"]
    _pass(worker, seq, datetime(2031, 7, 1, 6, 0))
    assert subjects_to(smtp_server, "bob@example.com") == ["Happy birthday"]
    _pass(worker, seq, datetime(2031, 2, 28, 6, 0))  # no 29th in 2031
    assert subjects_to(smtp_server, "leap@example.com") == ["Happy birthday"]
    _pass(worker, seq, datetime(2032, 3, 14, 6, 0))  # a year later: again, a new cycle
    assert subjects_to(smtp_server, "ann@example.com") == ["Happy birthday"] * 2
    cycles = db.session.scalars(select(StepCampaign.cycle).order_by(StepCampaign.cycle))
    assert list(cycles) == [2031, 2032]


def test_unsubscribing_stops_the_sequence_and_counts_for_the_step(client, app, worker,
                                                                  smtp_server):
    mlist = list_with_contacts(name="Course")
    seq = sequence(mlist, (0, "Lesson 1"), (DAY, "Lesson 2"))
    t0 = utcnow()
    _activate(seq, t0)
    for email in ("stay@example.com", "leave@example.com"):
        lists.add_contact_to_list(db.session, mlist.id, email)
    db.session.commit()
    _pass(worker, seq, t0 + timedelta(minutes=1))
    lesson = message_to(smtp_server, "leave@example.com")
    unsubscribe = next(link for link in html_links(lesson) if "/u/" in link)
    client.post(path_of(unsubscribe), data={"scope": "list"})
    _pass(worker, seq, t0 + timedelta(days=2))
    assert subjects_to(smtp_server, "stay@example.com") == ["Lesson 1", "Lesson 2"]
    assert subjects_to(smtp_server, "leave@example.com") == ["Lesson 1"]
    assert _find(seq, "leave@example.com").state == EnrolmentState.STOPPED
    stats = sequences.step_stats(db.session, seq)
    assert [(s.sent, s.unsubscribed) for s in stats] == [(2, 1), (1, 0)]


def test_an_edited_step_reaches_only_contacts_who_have_not_reached_it(app, worker,
                                                                       smtp_server):
    mlist = list_with_contacts(name="Edits")
    seq = sequence(mlist, (0, "First"), (3 * DAY, "Second"))
    t0 = utcnow()
    _activate(seq, t0)
    lists.add_contact_to_list(db.session, mlist.id, "early@example.com")
    db.session.commit()
    _pass(worker, seq, t0 + timedelta(minutes=1))
    first, second = seq.steps
    compose(first, "First, rewritten")  # early@ has had it: not again
    sequences.update_step(db.session, seq.id, second.id, delay=DAY)  # shorter wait
    db.session.commit()
    compose(second, "Second, rewritten")
    lists.add_contact_to_list(db.session, mlist.id, "late@example.com")
    db.session.commit()
    _pass(worker, seq, t0 + timedelta(minutes=2))
    _pass(worker, seq, t0 + timedelta(days=1, minutes=5))
    assert subjects_to(smtp_server, "early@example.com") == ["First", "Second, rewritten"]
    assert subjects_to(smtp_server, "late@example.com") == ["First, rewritten",
                                                           "Second, rewritten"]


def test_statistics_count_sends_and_clicks_per_step(client, app, worker, smtp_server):
    mlist = list_with_contacts(name="Stats")
    seq = sequence(mlist, (0, "Hi"), (DAY, "Later"))
    t0 = utcnow()
    _activate(seq, t0)
    for email in ("a@example.com", "b@example.com"):
        lists.add_contact_to_list(db.session, mlist.id, email)
    db.session.commit()
    _pass(worker, seq, t0 + timedelta(minutes=1))
    tracked = [u for u in html_links(message_to(smtp_server, "a@example.com")) if "/c/" in u]
    client.get(path_of(tracked[0]))
    client.get(path_of(tracked[0]))
    worker()  # records the clicks
    hi, later = sequences.step_stats(db.session, seq)
    assert (hi.sent, hi.clicks, hi.unique_clicks, hi.waiting) == (2, 2, 1, 0)
    assert (later.sent, later.waiting) == (0, 2)
    assert sequences.enrolment_counts(db.session, seq.id)[EnrolmentState.ACTIVE] == 2


def test_the_settings_refuse_bad_input_and_a_step_is_never_a_campaign(app):
    mlist = list_with_contacts(name="Rules")
    with pytest.raises(SequenceError, match="name"):
        sequences.save_sequence(db.session, None, name=" ", list_id=mlist.id,
                                trigger=SequenceTrigger.CONFIRMATION)
    with pytest.raises(SequenceError, match="segment"):
        sequences.save_sequence(db.session, None, name="S", list_id=mlist.id,
                                trigger=SequenceTrigger.SEGMENT)
    with pytest.raises(SequenceError, match="attribute"):
        sequences.save_sequence(db.session, None, name="S", list_id=mlist.id,
                                trigger=SequenceTrigger.DATE, date_attribute="birth day!")
    db.session.rollback()
    seq = sequence(mlist, name="Empty")
    with pytest.raises(SequenceError, match="at least one step"):
        sequences.set_active(db.session, seq.id, True, utcnow())
    with pytest.raises(SequenceError, match="delay"):
        sequences.add_step(db.session, seq.id, delay=400 * DAY, subject="Too late")
    step = sequences.add_step(db.session, seq.id, delay=0, subject="Blank")
    db.session.commit()
    with pytest.raises(SequenceError, match="no subject or no content"):
        sequences.set_active(db.session, seq.id, True, utcnow())
    with pytest.raises(CampaignError, match="step of a welcome"):
        lifecycle.start_campaign(db.session, step.template_campaign_id)
    db.session.rollback()
    compose(step, "Now written")
    _activate(seq, utcnow())
    with pytest.raises(SequenceError, match="cannot change"):
        sequences.save_sequence(db.session, seq.id, name="Empty", list_id=mlist.id,
                                trigger=SequenceTrigger.DATE, date_attribute="birthday")
    db.session.rollback()
    sequences.set_active(db.session, seq.id, False, utcnow())
    assert db.session.get(type(seq), seq.id).status == SequenceStatus.PAUSED
    assert drip.run(db.session, seq.id, utcnow()) == []  # paused: nothing runs
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1


def test_two_workers_at_once_send_each_step_once(app, worker, smtp_server):
    """Two passes at the same moment, each in its own thread and database session (two
    workers): every contact's step is claimed by one of them."""
    mlist = list_with_contacts(name="Race")
    seq = sequence(mlist, (0, "Only once"))
    t0 = utcnow()
    _activate(seq, t0)
    for n in range(40):
        lists.add_contact_to_list(db.session, mlist.id, f"r{n}@example.com")
    db.session.commit()
    start, results, errors = threading.Barrier(2), [], []
    seq_id, at = seq.id, (t0 + timedelta(minutes=1)).isoformat()

    def one_worker():
        with app.app_context():
            try:
                start.wait()
                results.append(jobs.run_sequence(seq_id, at))
            except Exception:  # noqa: BLE001  (reported below)
                errors.append(traceback.format_exc())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one_worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors[0]
    worker()
    assert sorted(len(subjects_to(smtp_server, f"r{n}@example.com")) for n in range(40)) \
        == [1] * 40
    assert db.session.scalar(select(func.count()).select_from(StepCampaign)) == 1


def test_a_pass_killed_before_its_commit_leaves_nothing_half_done(app, worker, smtp_server):
    mlist = list_with_contacts(name="Crash")
    seq = sequence(mlist, (0, "Survives"))
    t0 = utcnow()
    _activate(seq, t0)
    lists.add_contact_to_list(db.session, mlist.id, "c@example.com")
    db.session.commit()
    assert drip.run(db.session, seq.id, t0 + timedelta(minutes=1))
    db.session.rollback()  # the worker died before the commit: claim and delivery are gone
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    jobs.reap()  # the reaper's next round runs a pass of every active sequence
    worker()
    assert subjects_to(smtp_server, "c@example.com") == ["Survives"]


def test_a_step_can_start_from_a_saved_template(app):
    from newsletter.content import saved_templates

    mlist = list_with_contacts(name="Saved")
    source = sequence(mlist, (0, "House style"), name="Source")
    kept = saved_templates.save_from_campaign(db.session, source.steps[0].template.id,
                                              "House")
    seq = sequence(mlist, name="From saved")
    step = sequences.add_step(db.session, seq.id, delay=0, subject="Hi",
                              template=f"saved:{kept.id}")
    assert step.template.blocks == kept.blocks and "Shop" in step.template.body_html
    with pytest.raises(SequenceError, match="template"):
        sequences.add_step(db.session, seq.id, delay=0, subject="Hi", template="saved:999")


def test_a_step_matching_a_review_rule_waits_for_a_reviewer(app, worker, smtp_server,
                                                            make_user):
    """A sequence is no way around the review: a step whose message matches a rule is held
    like a campaign, its contacts wait at it, and an approval lets them have it."""
    from newsletter.compliance import review
    from tests.compliance.test_review import KRATOM

    mlist = list_with_contacts(name="Held")
    seq = sequence(mlist, (0, "Offer"), (0, "After"))
    first = seq.steps[0]
    compose(first, "Offer", KRATOM)
    t0 = utcnow()
    _activate(seq, t0)
    lists.add_contact_to_list(db.session, mlist.id, "reader@example.com")
    db.session.commit()
    _pass(worker, seq, t0 + timedelta(minutes=1))
    assert subjects_to(smtp_server, "reader@example.com") == []
    db.session.expire_all()
    assert db.session.get(Campaign, first.template_campaign_id).status == "review"
    assert _find(seq, "reader@example.com").next_position == 1  # waiting at the step

    reviewer = make_user("reviewer@example.com", "reviewer")
    review.decide(db.session, first.template_campaign_id, reviewer, True, "B2B exception")
    db.session.commit()
    _pass(worker, seq, t0 + timedelta(minutes=2))
    _pass(worker, seq, t0 + timedelta(minutes=3))
    assert subjects_to(smtp_server, "reader@example.com") == ["Offer", "After"]
