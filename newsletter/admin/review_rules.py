"""Owner-only: the content-review categories and their rules, a box to test a text against
them, and the audit log."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from newsletter.compliance import contentrules, review
from newsletter.extensions import db
from newsletter.platform import audit

from . import owner_bp
from .forms import strip


class CategoryForm(FlaskForm):
    key = StringField(lazy_gettext("Key"), filters=[strip],
                      validators=[DataRequired(), Length(max=32)])
    name = StringField(lazy_gettext("Category name"), filters=[strip],
                       validators=[DataRequired(), Length(max=200)])
    patterns = TextAreaField(lazy_gettext("Patterns (one per line; word* is a stem)"))
    allowed = TextAreaField(lazy_gettext("Allowed phrases (cancel the match they contain)"))
    exceptions = TextAreaField(
        lazy_gettext("Exceptions (anywhere in the campaign: the category passes)"))
    void = TextAreaField(lazy_gettext("Unless (these void the exceptions)"))
    active = BooleanField(lazy_gettext("Active"), default=True)


class TryForm(FlaskForm):
    text = TextAreaField(lazy_gettext("Text to test"),
                         validators=[DataRequired(), Length(max=20000)])


def _forms(session) -> list[CategoryForm]:
    inactive = review.inactive_keys(session)
    return [CategoryForm(formdata=None, key=c.key, name=c.name,
                         patterns="\n".join(c.patterns), allowed="\n".join(c.allowed),
                         exceptions="\n".join(c.exceptions), void="\n".join(c.void),
                         active=c.key not in inactive)
            for c in review.categories(session, include_inactive=True)]


def _page(form=None, try_form=None, findings=None, status=200):
    return render_template("admin/review_rules.html", forms=_forms(db.session),
                           new_form=form or CategoryForm(formdata=None),
                           try_form=try_form or TryForm(formdata=None),
                           findings=findings), status


@owner_bp.get("/review-rules")
def review_rules():
    return _page()


@owner_bp.post("/review-rules")
def save_review_category():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            review.save_category(db.session, form.key.data, **{
                f: getattr(form, f).data or "" for f in ("name", "patterns", "allowed",
                                                         "exceptions", "void")},
                active=form.active.data, actor=current_user.email)
        except review.FieldError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors = [str(exc)]
        else:
            db.session.commit()
            flash(gettext("Category %(key)s saved.", key=form.key.data), "success")
            return redirect(url_for("admin.owner.review_rules"))
    return _page(form=form, status=422)


@owner_bp.post("/review-rules/try")
def try_review_rules():
    """Test a text against the rules in force (nothing is stored)."""
    form = TryForm()
    if not form.validate_on_submit():
        return _page(try_form=form, status=422)
    found = contentrules.review(review.categories(db.session), [("text", form.text.data)])
    return _page(try_form=form, findings=found)


@owner_bp.get("/audit")
def audit_log():
    return render_template("admin/audit.html", entries=audit.recent(db.session),
                           actions=audit.ACTIONS)
