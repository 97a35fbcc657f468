"""Real Kannel for the tests (Debian's ``kannel``: ``bearerbox`` + ``smsbox``), with the
local SMPP server (``tests/smpp_server.py``) as its operator: Kannel binds to it as a
transceiver, so the test scripts what the operator answers, its delivery receipts and the
replies of phones. The configuration is the one the README gives for production: a
``sendsms-user`` for the campaigns, a loopback SMSC and a report account that turn delivery
reports into POSTs, and a default ``sms-service`` that POSTs replies to the app.

Without Kannel the tests skip, unless REQUIRE_BROWSER (or CI) says every real part must be
there (`.ci/run` installs it)."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

USER, PASSWORD = "newsletter", "secret"
REPORT_USER, REPORT_PASSWORD = "dlr", "dlr-secret"

CONFIG = """
group = core
admin-port = {admin_port}
admin-password = admin-secret
smsbox-port = {box_port}
box-allow-ip = 127.0.0.1
dlr-storage = internal
log-file = "{dir}/bearerbox.log"
log-level = 1

group = smsc
smsc = smpp
smsc-id = op
host = 127.0.0.1
port = {smsc_port}
transceiver-mode = true
smsc-username = "{smsc_user}"
smsc-password = "{smsc_password}"
system-type = ""
denied-smsc-id = reports
reconnect-delay = 1

group = smsc
smsc = loopback
smsc-id = reports
allowed-smsc-id = reports

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {box_port}
sendsms-port = {sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{dir}/smsbox.log"
log-level = 1
http-request-retry = 5
http-queue-delay = 1

group = sendsms-user
username = {user}
password = {password}
concatenation = true
max-messages = 3
user-allow-ip = 127.0.0.1

group = sendsms-user
username = {report_user}
password = {report_password}
forced-smsc = reports
default-sender = kannel
max-messages = 1
user-allow-ip = 127.0.0.1

group = sms-service
keyword = newsletter-dlr
accepted-smsc = reports
strip-keyword = true
catch-all = true
max-messages = 0
post-url = "{reports_url}"

group = sms-service
keyword = default
accepted-smsc = op
catch-all = true
max-messages = 0
post-url = "{inbound_url}"
"""


def require_kannel() -> None:
    if shutil.which("bearerbox") and shutil.which("smsbox"):
        return
    if os.environ.get("REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail("REQUIRE_BROWSER is set but Kannel (bearerbox, smsbox) is missing")
    pytest.skip("Kannel tests need bearerbox and smsbox (apt-get install kannel)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Kannel:
    directory: Path
    sendsms_port: int
    processes: list

    def gateway_url(self, user=USER, password=PASSWORD, reports=True) -> str:
        url = (f"kannel+http://{user}:{password}@127.0.0.1:{self.sendsms_port}"
               "/cgi-bin/sendsms?smsc=op&source=7777")
        return url + (f"&report_user={REPORT_USER}&report_pass={REPORT_PASSWORD}"
                      if reports else "")

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:]
                         for p in sorted(self.directory.glob("*.log")))


def start(directory: Path, smsc, inbound_url: str, reports_url: str) -> Kannel:
    """bearerbox and smsbox, bound to the SMPP server ``smsc``, answering sendsms."""
    require_kannel()
    ports = {"admin_port": free_port(), "box_port": free_port(), "sendsms_port": free_port()}
    config = directory / "kannel.conf"
    config.write_text(CONFIG.format(
        dir=directory, smsc_port=smsc.port, smsc_user=smsc.system_id,
        smsc_password=smsc.password, user=USER, password=PASSWORD, report_user=REPORT_USER,
        report_password=REPORT_PASSWORD, inbound_url=inbound_url, reports_url=reports_url,
        **ports))
    processes = []
    for box in ("bearerbox", "smsbox"):
        with open(directory / f"{box}.out", "wb") as out:
            processes.append(subprocess.Popen([shutil.which(box), str(config)], stdout=out,
                                              stderr=subprocess.STDOUT))
        time.sleep(0.5 if box == "bearerbox" else 0)
    kannel = Kannel(directory, ports["sendsms_port"], processes)
    deadline = time.monotonic() + 30
    while not (smsc.binds and _answers(kannel.sendsms_port)):
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            stop(kannel)
            raise RuntimeError("Kannel did not come up:\n" + kannel.logs())
        time.sleep(0.2)
    return kannel


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/cgi-bin/sendsms", timeout=2)
    except urllib.error.HTTPError:
        return True  # it answered (no credentials given)
    except OSError:
        return False
    return True


def stop(kannel: Kannel) -> None:
    for process in reversed(kannel.processes):
        process.terminate()
    for process in kannel.processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
        if process.poll() is None:
            process.kill()
            process.wait()
