"""The log of transactional messages (every role reads it): what was asked for over the
API, to whom, from which template, and what became of it."""

from flask import render_template, request

from newsletter.extensions import db
from newsletter.models import TransactionalState
from newsletter.transactional import log

from . import bp


@bp.get("/transactional")
def transactional_log():
    state = request.args.get("state")
    state = state if state in TransactionalState.ALL else None
    return render_template("admin/transactional.html",
                           messages=log.latest(db.session, state=state),
                           templates=log.per_template(db.session), state=state,
                           states=TransactionalState.ALL)
