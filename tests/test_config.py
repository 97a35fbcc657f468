import pytest

from newsletter.app import create_app
from newsletter.channels.smtp import parse_smtp_url
from newsletter.config import ConfigError


def test_layers_defaults_instance_file_environment_mapping(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text(
        "MAIL_FROM = 'From file <file@example.com>'\nSEND_BATCH_SIZE = 7\n"
        "BASE_URL = 'http://file.example'\n")
    monkeypatch.setenv("BASE_URL", "https://env.example")
    monkeypatch.setenv("NEWSLETTER_SEND_BATCH_SIZE", "50")
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "x",
                      "MAIL_FROM": "From mapping <map@example.com>"})
    assert app.config["QUEUE_NAME"] == "newsletter"  # default
    assert app.config["BASE_URL"] == "https://env.example"  # env beats file
    assert app.config["SEND_BATCH_SIZE"] == 50  # NEWSLETTER_* beats file, parsed as JSON
    assert app.config["MAIL_FROM"] == "From mapping <map@example.com>"  # mapping beats all
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_embedded_defaults(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "SMTP_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/newsletter.db"
    assert app.config["REDIS_URL"] is None and app.config["SMTP_URL"] is None
    # a generated secret kept in instance/ so sessions survive a restart
    again = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == again.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) > 40


def test_postgres_alias_is_accepted(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "DATABASE_URL": "postgres://u:p@db.example/news"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql://u:p@db.example/news"


@pytest.mark.parametrize("key, value, expected", [
    ("DATABASE_URL", "mysql://u@h/db", "DATABASE_URL scheme 'mysql' is not supported"),
    ("BASE_URL", "news.example.com", "BASE_URL='news.example.com' is not an absolute"),
])
def test_bad_settings_say_how_to_fix_them(tmp_path, key, value, expected):
    with pytest.raises(ConfigError, match=expected):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", key: value})


@pytest.mark.parametrize("url, host, port, security, user, password", [
    ("smtp://mail.example.com", "mail.example.com", 25, "plain", None, None),
    ("smtp://mail.example.com:2525?starttls=1", "mail.example.com", 2525, "starttls", None, None),
    ("smtp+starttls://me%40x.com:p%3Ass@mx.example", "mx.example", 587, "starttls", "me@x.com",
     "p:ss"),
    ("smtps://u:s3cr3t@mx.example", "mx.example", 465, "tls", "u", "s3cr3t"),
])
def test_smtp_urls(url, host, port, security, user, password):
    s = parse_smtp_url(url)
    assert (s.host, s.port, s.security, s.username, s.password) == (
        host, port, security, user, password)
    assert password is None or password not in s.describe()


@pytest.mark.parametrize("url, expected", [
    ("http://mail.example.com", "SMTP_URL scheme 'http' is not supported"),
    ("smtp://", "names no host"),
    ("smtp://mx.example:abc", "bad port"),
])
def test_bad_smtp_urls(url, expected):
    with pytest.raises(ConfigError, match=expected):
        parse_smtp_url(url)
