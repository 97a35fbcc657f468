"""Outgoing webhooks (owner-only): register an endpoint (its signing secret is shown once,
in the answer to the POST that made it), read its log of deliveries and answers, send a
test event, resume a paused endpoint, delete one."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from newsletter.extensions import db
from newsletter.webhooks import endpoints, signing
from newsletter.webhooks.events import EVENTS

from . import owner_bp, perform
from .forms import EmptyForm, WebhookForm


def _page(form: WebhookForm, new_secret: str | None = None, status: int = 200):
    return render_template(
        "admin/webhooks.html", form=form, endpoints=endpoints.all_endpoints(db.session),
        counts=endpoints.delivery_counts(db.session), new_secret=new_secret,
        events=EVENTS, header=signing.HEADER, button_form=EmptyForm()), status


@owner_bp.get("/webhooks")
def webhooks():
    return _page(WebhookForm())


@owner_bp.post("/webhooks")
def create_webhook():
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        new = endpoints.create_endpoint(
            db.session, current_user.id, form.name.data, form.url.data, form.events.data,
            allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    except endpoints.WebhookError as exc:
        db.session.rollback()
        getattr(form, exc.field or "name").errors.append(str(exc))
        return _page(form, status=422)
    db.session.commit()
    return _page(WebhookForm(formdata=None), new_secret=new.secret, status=201)


@owner_bp.get("/webhooks/<int:endpoint_id>")
def webhook(endpoint_id: int):
    try:
        endpoint = endpoints.get_endpoint(db.session, endpoint_id)
    except endpoints.NotFound:
        abort(404)
    return render_template("admin/webhook.html", endpoint=endpoint,
                           log=endpoints.recent_log(db.session, endpoint_id),
                           button_form=EmptyForm())


def _button(endpoint_id: int, action, message: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    done, _ = perform(lambda: action(db.session, endpoint_id))
    if done:
        flash(message, "success")
    return redirect(url_for("admin.owner.webhook", endpoint_id=endpoint_id))


@owner_bp.post("/webhooks/<int:endpoint_id>/test")
def test_webhook(endpoint_id: int):
    return _button(endpoint_id, endpoints.send_test,
                   gettext("A test event is on its way; its answer appears below in a "
                           "moment."))


@owner_bp.post("/webhooks/<int:endpoint_id>/resume")
def resume_webhook(endpoint_id: int):
    return _button(endpoint_id, endpoints.resume,
                   gettext("The endpoint is active again; the events that waited are "
                           "being sent."))


@owner_bp.post("/webhooks/<int:endpoint_id>/delete")
def delete_webhook(endpoint_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    done, endpoint = perform(lambda: endpoints.delete_endpoint(db.session, endpoint_id))
    if done:
        flash(gettext("The endpoint “%(name)s” was deleted.", name=endpoint.name), "success")
    return redirect(url_for("admin.owner.webhooks"))
