"""Safe methods are safe: GET, HEAD and OPTIONS on every URL rule of the app, as an anonymous
visitor, a logged-in owner and a subscriber with an open profile, with valid tokens for
every rule that takes one, leave every table's rows and the Redis state as they were.

The documented exception: GET /c/... (click) and GET /o/....gif (open pixel) push one event
to Redis; a job records it, so the database stays unchanged there too. Rate-limit counters
(``ratelimit:*``) are the defence against floods of exactly these requests and are left out
of the comparison."""

import itertools

import pytest
from rq.job import Job
from werkzeug.routing import Rule

from newsletter import queue
from newsletter.extensions import db
from newsletter.platform.safemethods import SAFE_METHODS, writes
from newsletter.tracking.clicks import DRAIN_GATE_KEY, EVENTS_KEY
from tests.conftest import PASSWORD

from . import world as world_module
from .state import changed, database_rows, redis_state

TRACKING = {"public.click": "c", "public.open_pixel": "o"}
#: endpoints whose valid-token GET must answer below 400 (so the walk used real tokens)
MUST_WORK = {"public.unsubscribe_page", "public.confirm_page", "public.profile_login_link_page",
             "public.profile_erase_page", "public.message", "public.click", "public.open_pixel",
             "public.archive", "public.archived_message", "public.media", "public.profile",
             "public.subscribe_page", "public.sms_inbound_info", "public.sms_reports_info"}
OWNER_MUST_WORK = {"admin.campaign", "admin.edit_variant", "admin.outbox_html",
                   "admin.owner.users", "admin.owner.sender", "admin.import_detail",
                   "admin.blocklist_edit", "admin.edit_theme", "admin.contact_detail",
                   "admin.sms_outbox_message",
                   "admin.owner.api_keys", "admin.api_reference", "admin.segment_edit",
                   "admin.recurring_edit", "admin.segment_count", "admin.recurring_preview",
                   "admin.owner.webhook", "admin.owner.webhooks", "admin.transactional_log",
                   "admin.owner.channels", "admin.owner.mail_server", "admin.owner.gateway",
                   "admin.owner.sender_servers"}


def urls(rule: Rule, world) -> list[str]:
    names = sorted(rule.arguments)
    missing = [n for n in names if not world.values(rule.rule, n)]
    assert not missing, f"{rule.rule}: the walk has no value for {missing}; add one to world.py"
    combos = itertools.product(*(world.values(rule.rule, n) for n in names))
    built = [rule.build(dict(zip(names, combo, strict=True)), append_unknown=False)[1]
             for combo in combos]
    if rule.endpoint == "public.profile":
        built.append(world.profile_path)  # the footer link, with its signature
    return built


def check_tracking(kind: str, before: dict, after: dict, method: str) -> list[str]:
    """GET /c and /o: exactly one event of their kind, and at most the drain job it starts."""
    problems = []
    events = lambda state: state.get(EVENTS_KEY, ("list", []))[1]  # noqa: E731
    new = events(after)[len(events(before)):]
    expected = 1 if method == "GET" else 0  # HEAD is a scanner checking the link, not a click
    if len(new) != expected or any(not e.decode().startswith(f"{kind}:") for e in new):
        problems.append(f"events {new!r}")
    rest = [k for k in changed(before, after) if k not in (EVENTS_KEY, DRAIN_GATE_KEY)]
    for key in rest:
        if key.startswith("rq:job:") and key not in before:
            job = Job.fetch(key.removeprefix("rq:job:"), connection=queue.get_redis())
            if job.func_name == "newsletter.jobs.record_click_events":
                continue
        if key.startswith("rq:queue") and method == "GET":
            continue
        problems.append(key)
    return problems


def walk(app, client, world, identity: str) -> tuple[list[str], dict]:
    problems, statuses = [], {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for url, method in itertools.product(urls(rule, world), sorted(SAFE_METHODS)):
            rows, keys = database_rows(), redis_state()
            try:
                status = client.open(url, method=method, buffered=True).status_code
            except Exception as exc:  # noqa: BLE001  (reported with the others below)
                status = f"raised {exc!r}"
            statuses[(rule.endpoint, method, url)] = status
            where = f"{identity} {method} {url}"
            if not isinstance(status, int) or status >= 500:
                problems.append(f"{where}: {status}")
            if (diff := changed(rows, database_rows())):
                problems.append(f"{where}: database changed in {diff}")
            after = redis_state()
            if rule.endpoint in TRACKING:
                if (bad := check_tracking(TRACKING[rule.endpoint], keys, after, method)):
                    problems.append(f"{where}: Redis {bad}")
            elif (diff := changed(keys, after)):
                problems.append(f"{where}: Redis changed in {diff}")
    return problems, statuses


@pytest.fixture
def world(app, worker, smtp_server):
    app.config.update(RATE_PROFILE_IP="1000/60", RATE_LOGIN_IP="1000/60")
    return world_module.build(app, worker, smtp_server)


def _sign_in_owner(client, world):
    response = client.post("/admin/login", data={"email": world.owner_email,
                                                 "password": PASSWORD})
    assert response.status_code == 302


def _open_profile(client, world):
    assert client.get(world.profile_path).status_code == 302
    assert client.get(f"/p/{world.code}").status_code == 200


@pytest.mark.parametrize("identity", ["anonymous", "owner", "subscriber and owner"])
def test_no_safe_request_anywhere_changes_state(app, client, world, identity):
    if "owner" in identity:
        _sign_in_owner(client, world)
    if "subscriber" in identity:
        _open_profile(client, world)
    problems, statuses = walk(app, client, world, identity)
    assert problems == [], "\n".join(problems)
    walked = {endpoint for endpoint, _, _ in statuses}
    assert walked == {r.endpoint for r in app.url_map.iter_rules()}
    worked = {e for (e, m, _), s in statuses.items() if m == "GET" and isinstance(s, int)
              and s < 400}
    assert not MUST_WORK - worked, f"valid tokens did not work for {MUST_WORK - worked}"
    if "owner" in identity:
        assert not OWNER_MUST_WORK - worked, f"owner pages failed: {OWNER_MUST_WORK - worked}"


def test_the_comparison_sees_a_change(app, world):
    """The walk's eyes: a changed row and a changed Redis key are both noticed."""
    rows, keys = database_rows(), redis_state()
    from newsletter.models import Contact

    db.session.get(Contact, world.contact_id).first_name = "Changed"
    db.session.commit()
    queue.get_redis().set("anything", 1)
    assert changed(rows, database_rows()) == ["contact"]
    assert changed(keys, redis_state()) == ["anything"]


@pytest.mark.parametrize("statement, is_write", [
    ("SELECT 1", False), ("select * from contact for update skip locked", False),
    ("  INSERT INTO x VALUES (1)", True), ("update contact set x=1", True),
    ("/* c */ DELETE FROM x", True), ("-- c\nDELETE FROM x", True),
    ("(SELECT 1) UNION (SELECT 2)", False), ("CREATE TABLE t (a int)", True),
    ("WITH a AS (SELECT 1) SELECT * FROM a", False),
    ("WITH a AS (UPDATE contact SET x = 1 RETURNING id) SELECT * FROM a", True),
    ("WITH a AS (SELECT id FROM contact FOR UPDATE) SELECT * FROM a", False),
    ("PRAGMA foreign_keys=ON", False), ("ALTER TABLE t ADD c int", True)])
def test_the_guard_knows_writes_from_reads(statement, is_write):
    assert writes(statement) is is_write
