"""Owner-only: the plan limits (seed 003) and what is used of each."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from newsletter.extensions import db
from newsletter.platform import limits

from . import owner_bp, perform

PlanForm = type("PlanForm", (FlaskForm,), {
    key: IntegerField(label, validators=[Optional(), NumberRange(min=0, max=10**9)])
    for key, label in limits.LIMITS.items()})


@owner_bp.route("/plan", methods=["GET", "POST"])
def plan():
    form = PlanForm()
    if form.validate_on_submit():
        ok, _ = perform(lambda: limits.set_limits(
            db.session, {key: getattr(form, key).data for key in limits.LIMITS},
            current_user.email))
        if ok:
            flash(gettext("Plan limits saved."), "success")
            return redirect(url_for("admin.owner.plan"))
    elif not form.is_submitted():
        for row in limits.usage(db.session):
            getattr(form, row.key).data = row.limit
    return render_template("admin/plan.html", form=form, usage=limits.usage(db.session)), \
        (422 if form.errors else 200)
