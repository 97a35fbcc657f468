"""Callbacks of a Kannel-style HTTP SMS gateway, all by POST (a GET only says what the
address is for; GET never changes state here):

- ``POST /sms/inbound/<token>?from=<number>``: a reply, the text as the body (Kannel's
  ``sms-service`` with ``post-url``); the signed token names the gateway. "STOP"
  unsubscribes that number from SMS.
- ``POST /sms/reports``: a delivery report, the body ``<signed delivery id> <DLR type>``
  (Kannel's report, turned into a POST by its loopback SMSC: ``channels.kannel``). A report
  that comes before the delivery's outcome is recorded is answered 503, so Kannel tries
  again (``http-request-retry``).

No cookies are read and the tokens are the keys: CSRF protection does not apply."""

from flask import request

from newsletter.extensions import csrf, db
from newsletter.platform.tokens import InvalidToken
from newsletter.sending import sms_receipts

from . import bp

PLAIN = {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/sms/inbound/<token>")
def sms_inbound_info(token: str):
    sms_receipts.gateway_of(token)
    return "This address takes an SMS gateway's replies by POST.\n", 200, PLAIN


@bp.post("/sms/inbound/<token>")
@csrf.exempt  # the gateway posts without cookies; the signed token is the key
def sms_inbound(token: str):
    gateway = sms_receipts.gateway_of(token)
    number = request.args.get("from") or request.headers.get("X-Kannel-From", "")
    text = request.get_data(as_text=True)
    sms_receipts.handle_deliver(db.session, gateway, number, text, receipt=False)
    db.session.commit()
    return "", 200, PLAIN  # an empty answer: Kannel sends no reply to the phone


@bp.get("/sms/reports")
def sms_reports_info():
    return "This address takes an SMS gateway's delivery reports by POST.\n", 200, PLAIN


@bp.post("/sms/reports")
@csrf.exempt  # the gateway posts without cookies; each report's signed token is the key
def sms_reports():
    words = request.get_data(as_text=True).split()
    if len(words) < 2 or not words[-1].isdigit():
        return "expected: <token> <DLR type>\n", 400, PLAIN
    try:
        sms_receipts.record_signed(db.session, words[-2], int(words[-1]))
    except InvalidToken:
        return "unknown report\n", 400, PLAIN
    except sms_receipts.NotYetSent:
        db.session.rollback()
        return "not yet: try again\n", 503, PLAIN
    db.session.commit()
    return "", 200, PLAIN
