"""API keys for integrators (owner-only) and the API reference (every role). A new key's
token is shown once, in the answer to the POST that made it (never stored, never put in a
cookie)."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from newsletter.extensions import db
from newsletter.platform import apikeys

from . import bp, owner_bp
from .forms import ApiKeyForm, EmptyForm


def _page(form: ApiKeyForm, new_token: str | None = None, status: int = 200):
    keys = apikeys.all_keys(db.session)
    return render_template("admin/api_keys.html", form=form, keys=keys,
                           last_used=apikeys.last_used(keys), new_token=new_token,
                           revoke_form=EmptyForm()), status


@owner_bp.get("/api-keys")
def api_keys():
    return _page(ApiKeyForm())


@owner_bp.post("/api-keys")
def create_api_key():
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        new = apikeys.create_key(db.session, current_user.id, form.name.data,
                                 form.scopes.data, form.rate_limit.data,
                                 actor=current_user.email)
    except apikeys.ApiKeyError as exc:
        db.session.rollback()
        getattr(form, exc.field or "name").errors.append(str(exc))
        return _page(form, status=422)
    db.session.commit()
    return _page(ApiKeyForm(formdata=None), new_token=new.token, status=201)


@owner_bp.post("/api-keys/<int:key_id>/revoke")
def revoke_api_key(key_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        key = apikeys.revoke(db.session, key_id, actor=current_user.email)
    except apikeys.ApiKeyError:
        abort(404)
    db.session.commit()
    flash(gettext("The key “%(name)s” was revoked; requests with it are refused.",
                  name=key.name), "success")
    return redirect(url_for("admin.owner.api_keys"))


@bp.get("/api-reference")
def api_reference():
    """The API reference, rendered from the OpenAPI document (every role may read it)."""
    document = current_app.extensions["openapi"]()
    operations = [(path, method.upper(), op) for path, item in document["paths"].items()
                  for method, op in item.items()]
    return render_template("admin/api_reference.html", document=document,
                           operations=operations, schemas=document["components"]["schemas"])
