"""The log of transactional messages (every role reads it): what was asked for over the
API, to whom, from which template, and what became of it."""

from flask import render_template, request
from flask_babel import lazy_gettext

from newsletter.extensions import db
from newsletter.models import TransactionalState
from newsletter.transactional import log

from . import bp

#: what people read for a message's state (the codes stay in the URL and the API)
STATE_LABELS = {
    TransactionalState.QUEUED: lazy_gettext("Queued"),
    TransactionalState.DEFERRED: lazy_gettext("Deferred (retried)"),
    TransactionalState.SENT: lazy_gettext("Sent"),
    TransactionalState.FAILED: lazy_gettext("Failed"),
}


@bp.get("/transactional")
def transactional_log():
    state = request.args.get("state")
    state = state if state in TransactionalState.ALL else None
    return render_template("admin/transactional.html",
                           messages=log.latest(db.session, state=state),
                           templates=log.per_template(db.session), state=state,
                           states=TransactionalState.ALL, state_labels=STATE_LABELS)
