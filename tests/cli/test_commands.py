import os
import subprocess
import sys

from sqlalchemy import select

from newsletter.channels import servers
from newsletter.extensions import db
from newsletter.models import Campaign, Contact, MailingList, MailServer, User
from tests.conftest import _allowed_smtp
from tests.smtp_server import free_port


def test_users_create(runner):
    result = runner.invoke(args=["users", "create", "--email", "Boss@Example.com",
                                 "--role", "owner", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert "created owner boss@example.com" in result.output
    assert db.session.scalar(select(User.role)) == "owner"


def test_users_create_refuses_a_short_password(runner):
    result = runner.invoke(args=["users", "create", "--email", "a@example.com",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_demo_creates_owner_and_data_and_resets_password(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "demo owner: demo@example.com  password: " in first.output
    second = runner.invoke(args=["demo"])
    assert first.output != second.output  # a fresh password each run
    assert len(db.session.scalars(select(MailingList)).all()) == 1
    assert len(db.session.scalars(select(Contact)).all()) == 2
    assert db.session.scalar(select(Campaign.status)) == "draft"


def test_check_passes_when_everything_answers(runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output


def run_cli(tmp_path, *args, **env):
    environ = {**os.environ, "NEWSLETTER_INSTANCE_PATH": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-m", "newsletter", *args], env=environ,
                          capture_output=True, text=True, timeout=60)


def test_unreachable_servers_are_named_without_a_traceback(tmp_path):
    dead = free_port()
    result = run_cli(tmp_path, "check",
                     DATABASE_URL=f"postgresql://nobody:secret@127.0.0.1:{dead}/news",
                     REDIS_URL=f"redis://127.0.0.1:{dead}/0",
                     SMTP_URL=f"smtp://127.0.0.1:{dead}")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"Cannot connect to the database postgresql://nobody:***@127.0.0.1:{dead}/news" \
        in result.stderr
    assert "secret" not in result.stderr
    assert f"Cannot reach Redis at redis://127.0.0.1:{dead}/0" in result.stderr
    assert f"cannot connect to plain SMTP 127.0.0.1:{dead}" in result.stderr
    assert "Check SMTP_URL" in result.stderr


def test_malformed_url_is_a_configuration_error(tmp_path):
    result = run_cli(tmp_path, "check", DATABASE_URL="mysql://u@h/db")
    assert result.returncode == 2
    assert "Configuration error: DATABASE_URL scheme 'mysql' is not supported" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_against_a_dead_server_is_one_readable_line(tmp_path):
    dead = free_port()
    result = run_cli(tmp_path, "db", "upgrade",
                     DATABASE_URL=f"postgresql://nobody@127.0.0.1:{dead}/news")
    assert result.returncode == 1
    assert "error: the database did not answer" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_connects_to_each_server_and_gateway_set_in_the_admin(app, runner, smtp_server,
                                                                     smpp_server):
    dead = free_port()
    _allowed_smtp.add(("127.0.0.1", dead))  # a server set in the admin that is down
    for name, port in (("Main", smtp_server.port), ("Backup", dead)):
        servers.save_mail_server(db.session, app.config, None, servers.MailServerData(
            name, "127.0.0.1", port, "plain", timeout=5))
    servers.save_gateway(db.session, app.config, None, servers.GatewayData(
        "SMSC", "smpp", smpp_server.host, smpp_server.port, "newsletter"), password="secret")
    db.session.commit()
    try:
        result = runner.invoke(args=["check"])
    finally:
        _allowed_smtp.discard(("127.0.0.1", dead))
    assert result.exit_code == 1, result.output
    assert "mail server Main: ok" in result.output
    assert (f"mail server Backup: error: Refused: nothing accepts connections at "
            f"127.0.0.1:{dead}") in result.output
    assert "SMS gateway SMSC: ok" in result.output

    backup = db.session.scalar(select(MailServer.id).where(MailServer.name == "Backup"))
    servers.save_mail_server(db.session, app.config, backup, servers.MailServerData(
        "Backup", "127.0.0.1", smtp_server.port, "plain"))
    db.session.commit()
    assert runner.invoke(args=["check"]).exit_code == 0  # every one answers now
