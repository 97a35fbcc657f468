"""Owner-only: sender identities, their sending rate and DKIM keys."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from newsletter.compliance import domain
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import SenderIdentity, SenderServer
from newsletter.sending import senders

from . import owner_bp, perform
from .forms import EmptyForm, SenderForm


@owner_bp.get("/senders")
def senders_list():
    rows = db.session.scalars(select(SenderIdentity).order_by(SenderIdentity.name))
    pools: dict[int, list[str]] = {}
    for member in db.session.scalars(select(SenderServer).order_by(SenderServer.id)):
        pools.setdefault(member.sender_id, []).append(f"{member.server.name} ×{member.weight}")
    return render_template("admin/senders.html", senders=list(rows), pools=pools)


@owner_bp.route("/senders/new", methods=["GET", "POST"], defaults={"sender_id": None})
@owner_bp.route("/senders/<int:sender_id>", methods=["GET", "POST"])
def sender(sender_id: int | None):
    identity = db.session.get(SenderIdentity, sender_id) if sender_id else None
    if sender_id and identity is None:
        abort(404)
    form = SenderForm(obj=identity)
    refused = False
    if form.validate_on_submit():
        ok, saved = perform(lambda: senders.save_sender(db.session, sender_id,
                                                        actor=current_user.email, **{
            name: getattr(form, name).data for name in senders.FIELDS}))
        if ok:
            flash(gettext("Sender saved."), "success")
            return redirect(url_for("admin.owner.sender", sender_id=saved.id))
        refused = True  # the reason is flashed
    status = 422 if form.errors or refused else 200
    dns = senders.dns_instructions(identity) if identity else None
    checks = domain.cached_result(db.session, identity.id) if identity else None
    pool = db.session.scalars(select(SenderServer).where(
        SenderServer.sender_id == identity.id)).all() if identity else []
    return render_template("admin/sender.html", form=form, identity=identity, dns=dns,
                           key_form=EmptyForm(), checks=checks, pool=pool,
                           published=identity and domain.dkim_published(db.session,
                                                                        identity.id)), status


@owner_bp.post("/senders/<int:sender_id>/dkim")
def sender_dkim(sender_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        senders.generate_dkim_key(db.session, sender_id, actor=current_user.email)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(gettext("A new DKIM key was generated. Publish the DNS record below."), "success")
    return redirect(url_for("admin.owner.sender", sender_id=sender_id))


@owner_bp.post("/senders/<int:sender_id>/check")
def sender_check(sender_id: int):
    """Check the sending domain again (DNS, website, brand) and keep the result."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    ok, _ = perform(lambda: domain.check_sender(db.session, sender_id, force=True))
    if ok:
        flash(gettext("The sending domain was checked."), "success")
    return redirect(url_for("admin.owner.sender", sender_id=sender_id))
