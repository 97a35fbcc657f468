"""``newsletter dev --port``: the web app and its worker both take their public address
from the port, so pages and mailed links point where the app really answers."""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from newsletter.channels import mailcatcher
from tests.processes import kill_tree
from tests.smtp_server import free_port


def _run(tmp_path, env, *args):
    result = subprocess.run([sys.executable, "-m", "newsletter", *args], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _wait_for(check, what: str, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    pytest.fail(f"{what} did not happen within {seconds} s")


def _answers(opener, url):
    try:
        return opener.open(url, timeout=5).read().decode()
    except OSError:
        return None


@pytest.fixture
def dev_app(tmp_path):
    port, catcher = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "SMTP_URL", "BASE_URL")}
    env.update(NEWSLETTER_INSTANCE_PATH=str(tmp_path), NEWSLETTER_MAILCATCHER_PORT=str(catcher))
    _run(tmp_path, env, "db", "upgrade")
    _run(tmp_path, env, "demo")
    with open(tmp_path / "dev.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsletter", "dev", "--port", str(port)], env=env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        yield port, tmp_path
        kill_tree(proc.pid)
        proc.wait()


def test_dev_on_another_port_links_to_that_port(dev_app):
    port, instance = dev_app
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    base = f"http://127.0.0.1:{port}"
    page = _wait_for(lambda: _answers(opener, base + "/p"), "the dev server answering")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "alice@example.com"})
    opener.open(base + "/p", data=data.encode(), timeout=10).read()

    outbox = str(instance / "outbox")
    [item] = _wait_for(lambda: mailcatcher.list_messages(outbox), "the login mail")
    message, _ = mailcatcher.get_message(outbox, item["key"])
    _, text = mailcatcher.bodies(message)
    assert f"{base}/p/login/" in text
    assert "127.0.0.1:5000" not in text
