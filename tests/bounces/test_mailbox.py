"""Bounces collected in a mailbox, polled over IMAP and POP3 from a real Dovecot."""

import mailbox
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from newsletter.audience import suppression
from newsletter.bounces import mailbox as bounce_mailbox
from newsletter.extensions import db
from newsletter.models import Contact
from tests.bounces.test_dsn import dsn
from tests.factories import draft, list_with_contacts
from tests.sending.helpers import start, states
from tests.smtp_server import free_port

DOVECOT = "/usr/sbin/dovecot"
CONFIG = """base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:{spool}/mail/%u
passdb {{
  driver = static
  args = password=secret
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={spool}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
"""


@pytest.fixture
def dovecot(tmp_path):
    if not os.path.exists(DOVECOT):
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("dovecot is missing in CI (.ci/run installs dovecot-imapd/pop3d)")
        pytest.skip("dovecot not installed (apt-get install dovecot-imapd dovecot-pop3d)")
    imap, pop3 = free_port(), free_port()
    spool = Path(tempfile.mkdtemp(prefix="nl-dovecot-"))  # outside pytest's 0700 tree
    spool.chmod(0o755)
    (tmp_path / "dovecot.conf").write_text(
        CONFIG.format(tmp=tmp_path, spool=spool, imap=imap, pop3=pop3))
    for path in (spool / "mail", spool / "home"):
        path.mkdir()
    box = mailbox.Maildir(str(spool / "mail" / "bounces"), create=True)
    nobody = pwd.getpwnam("nobody")
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(tmp_path / "dovecot.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def deliver(raw: bytes):
        box.add(raw)
        for root, dirs, files in os.walk(spool):
            for name in [root, *[os.path.join(root, f) for f in dirs + files]]:
                os.chown(name, nobody.pw_uid, nobody.pw_gid)

    deliver.imap = f"imap://bounces:secret@127.0.0.1:{imap}/INBOX"
    deliver.pop3 = f"pop3://bounces:secret@127.0.0.1:{pop3}"
    deliver.count = lambda: len(box)
    import socket
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", pop3), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield deliver
    proc.terminate()
    proc.wait()
    shutil.rmtree(spool, ignore_errors=True)


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_polling_the_bounce_mailbox(app, worker, smtp_server, dovecot, protocol):
    start(draft(list_with_contacts("gone@example.com", "ok@example.com")))
    worker()
    verp = {m.rcpt_tos[0]: m.mail_from for m in smtp_server.messages}["gone@example.com"]
    dovecot(b"Delivered-To: " + verp.encode() + b"\r\n"
            + dsn(verp, "gone@example.com", "failed", "5.1.1"))
    dovecot(b"Delivered-To: bounces@acme.example\r\nSubject: out of office\r\n\r\nAway.\r\n")
    counts = bounce_mailbox.poll(db.session, getattr(dovecot, protocol), soft_limit=3)
    assert counts == {"hard": 1, "soft": 0, "complaint": 0, "ignored": 1}
    assert states() == {"gone@example.com": "bounced", "ok@example.com": "sent"}
    assert suppression.is_suppressed(db.session, "gone@example.com")
    assert db.session.scalar(select(Contact.status).where(
        Contact.email == "gone@example.com")) == "bounced"
    assert dovecot.count() == 0  # processed messages are deleted


def test_bad_mailbox_url_says_how_to_fix_it():
    from newsletter.config import ConfigError

    with pytest.raises(ConfigError, match="imaps://user:password@mail.example.com/INBOX"):
        bounce_mailbox.parse_url("ftp://x")
