"""The inbound listener the MTA forwards bounces and List-Unsubscribe mails to (SMTP, or
LMTP with ``lmtp=True``)."""

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP

from newsletter.audience import subscriptions
from newsletter.extensions import db

from . import dsn

log = logging.getLogger(__name__)


class BounceHandler:
    def __init__(self, app):
        self.app = app

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        with self.app.app_context():
            try:
                for recipient in envelope.rcpt_tos:
                    if subscriptions.unsubscribe_by_mail(db.session, recipient):
                        log.info("unsubscribed by mail: %s", recipient)
                        continue
                    outcome = dsn.process(db.session, recipient, raw,
                                              self.app.config["SOFT_BOUNCE_LIMIT"])
                    log.info("inbound for %s: %s", recipient, outcome)
                db.session.commit()
            except Exception:  # keep the message at the MTA to retry later
                db.session.rollback()
                log.exception("inbound message could not be processed")
                return "451 4.3.0 Temporary processing error"
            finally:
                db.session.remove()
        return "250 OK"


class LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler)


def start(app, host: str, port: int, lmtp: bool = False) -> Controller:
    cls = LMTPController if lmtp else Controller
    controller = cls(BounceHandler(app), hostname=host, port=port)
    controller.start()
    return controller
