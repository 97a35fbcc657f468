"""Owner-only: the SMTP servers and SMS gateway accounts of the platform (passwords kept
encrypted, never shown), a "Test connection" button for each, and the pool of servers a
sender identity sends through."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from newsletter.channels import connectivity, servers
from newsletter.extensions import db
from newsletter.models import MailServer, SenderIdentity, SmsGatewayAccount
from newsletter.sending import channel_changes

from . import owner_bp, perform
from .channel_forms import (
    KEEP,
    KIND_LABELS,
    SECURITY_LABELS,
    GatewayForm,
    MailServerForm,
    pool_form,
)
from .forms import EmptyForm


@owner_bp.get("/channels")
def channels():
    return render_template(
        "admin/channels.html", test_form=EmptyForm(),
        servers=db.session.scalars(select(MailServer).order_by(MailServer.name)).all(),
        gateways=db.session.scalars(select(SmsGatewayAccount)
                                    .order_by(SmsGatewayAccount.name)).all(),
        configured=current_app.config.get("SMS_GATEWAYS") or {},
        security=SECURITY_LABELS, kinds=KIND_LABELS)


def _field_error(form, exc: servers.ServerError) -> None:
    field = getattr(form, exc.field or "", None) or form.name
    field.errors = [*field.errors, str(exc)]


@owner_bp.route("/channels/smtp/new", methods=["GET", "POST"], defaults={"server_id": None})
@owner_bp.route("/channels/smtp/<int:server_id>", methods=["GET", "POST"])
def mail_server(server_id: int | None):
    server = db.session.get(MailServer, server_id) if server_id else None
    if server_id and server is None:
        abort(404)
    form = MailServerForm(obj=server)
    if form.validate_on_submit():
        data = servers.MailServerData(
            name=form.name.data, host=form.host.data, port=form.port.data,
            security=form.security.data, username=form.username.data or "",
            max_connections=form.max_connections.data,
            rate_per_minute=form.rate_per_minute.data, timeout=form.timeout.data)
        try:
            saved = channel_changes.save_mail_server(
                db.session, current_app.config, server_id, data, form.password.data or "",
                form.clear_password.data, actor=current_user.email)
        except servers.ServerError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(gettext("SMTP server saved."), "success")
            return redirect(url_for("admin.owner.mail_server", server_id=saved.id))
    form.password.data = ""  # never echoed back
    return render_template("admin/mail_server.html", form=form, server=server, keep=KEEP,
                           test_form=EmptyForm()), 422 if form.errors else 200


@owner_bp.route("/channels/sms/new", methods=["GET", "POST"], defaults={"gateway_id": None})
@owner_bp.route("/channels/sms/<int:gateway_id>", methods=["GET", "POST"])
def gateway(gateway_id: int | None):
    account = db.session.get(SmsGatewayAccount, gateway_id) if gateway_id else None
    if gateway_id and account is None:
        abort(404)
    form = GatewayForm(obj=account)
    if form.validate_on_submit():
        data = servers.GatewayData(
            name=form.name.data, kind=form.kind.data, host=form.host.data,
            port=form.port.data, username=form.username.data, path=form.path.data or "",
            options=form.options.data or "")
        try:
            saved = channel_changes.save_gateway(
                db.session, current_app.config, gateway_id, data, form.password.data or "",
                tuple(current_app.config.get("SMS_GATEWAYS") or ()), actor=current_user.email)
        except servers.ServerError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(gettext("SMS gateway saved."), "success")
            return redirect(url_for("admin.owner.gateway", gateway_id=saved.id))
    form.password.data = ""
    return render_template("admin/gateway.html", form=form, account=account, keep=KEEP,
                           test_form=EmptyForm()), 422 if form.errors else 200


def _tested(result: connectivity.Result) -> None:
    if result.ok:
        flash(gettext("Connection works: %(result)s", result=result.message), "success")
    else:
        flash(gettext("Connection failed: %(reason)s", reason=result.message), "error")


@owner_bp.post("/channels/smtp/<int:server_id>/test")
def mail_server_test(server_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    server = db.session.get(MailServer, server_id) or abort(404)
    ok, settings = perform(lambda: servers.smtp_settings_of(current_app.config, server))
    if ok:
        _tested(connectivity.test_smtp(settings, current_app.config["CHANNEL_TEST_TIMEOUT"]))
    return redirect(url_for("admin.owner.mail_server", server_id=server_id))


@owner_bp.post("/channels/sms/<int:gateway_id>/test")
def gateway_test(gateway_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    account = db.session.get(SmsGatewayAccount, gateway_id) or abort(404)
    ok, result = perform(lambda: servers.test_gateway(
        current_app.config, account, current_app.config["CHANNEL_TEST_TIMEOUT"]))
    if ok:
        _tested(result)
    return redirect(url_for("admin.owner.gateway", gateway_id=gateway_id))


@owner_bp.post("/channels/smtp/<int:server_id>/delete")
def mail_server_delete(server_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if perform(lambda: channel_changes.delete_mail_server(db.session, server_id,
                                                          current_user.email))[0]:
        flash(gettext("SMTP server removed; senders that used only it send through "
                      "SMTP_URL."), "success")
    return redirect(url_for("admin.owner.channels"))


@owner_bp.post("/channels/sms/<int:gateway_id>/delete")
def gateway_delete(gateway_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if perform(lambda: channel_changes.delete_gateway(db.session, gateway_id,
                                                      current_user.email))[0]:
        flash(gettext("SMS gateway removed."), "success")
    return redirect(url_for("admin.owner.channels"))


@owner_bp.route("/senders/<int:sender_id>/servers", methods=["GET", "POST"])
def sender_servers(sender_id: int):
    identity = db.session.get(SenderIdentity, sender_id) or abort(404)
    rows = db.session.scalars(select(MailServer).order_by(MailServer.name)).all()
    form = pool_form(rows, servers.pool_weights(db.session, sender_id))
    if form.validate_on_submit():
        weights = {s.id: getattr(form, f"weight_{s.id}").data for s in rows}
        if perform(lambda: channel_changes.set_pool(db.session, sender_id, weights,
                                                    current_user.email))[0]:
            flash(gettext("Servers of the sender saved."), "success")
            return redirect(url_for("admin.owner.sender_servers", sender_id=sender_id))
    fields = [getattr(form, f"weight_{s.id}") for s in rows]
    return render_template("admin/sender_servers.html", form=form, fields=fields,
                           identity=identity), 422 if form.errors else 200
