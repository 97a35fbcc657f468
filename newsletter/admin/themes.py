"""Themes (colours, font, logo, footer) and the starter templates' previews."""


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from newsletter.content import blocks, display, rendering, saved_templates, themes
from newsletter.extensions import db
from newsletter.models import Theme

from . import bp, perform
from .forms import EmptyForm, ThemeForm, choices


@bp.get("/themes")
def theme_list():
    return render_template("admin/themes.html", themes=themes.list_themes(db.session),
                           templates=blocks.TEMPLATES,
                           saved=saved_templates.list_templates(db.session), form=EmptyForm())


@bp.post("/campaigns/<int:campaign_id>/save-template")
def save_template(campaign_id: int):
    """Keep a campaign's blocks as a named template (within the plan's templates limit)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    ok, saved = perform(lambda: saved_templates.save_from_campaign(
        db.session, campaign_id, request.form.get("name", ""), current_user.id))
    if ok:
        flash(gettext("Saved as template “%(name)s”: new campaigns can start from it.",
                      name=saved.name), "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign_id))


@bp.post("/templates/<int:template_id>/delete")
def delete_template(template_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    ok, name = perform(lambda: saved_templates.delete_template(db.session, template_id))
    if ok:
        flash(gettext("Template “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("admin.theme_list"))


@bp.route("/themes/new", methods=["GET", "POST"], defaults={"theme_id": None})
@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
def edit_theme(theme_id: int | None):
    theme = db.session.get(Theme, theme_id) if theme_id else None
    if theme_id and theme is None:
        abort(404)
    form = ThemeForm(obj=theme)
    form.font_family.choices = choices((font, gettext(label))
                                       for font, label in themes.FONTS.items())
    if form.validate_on_submit():
        upload = form.logo_file.data
        logo = (upload.filename or "logo", upload.read()) if upload else None
        ok, saved = perform(lambda: themes.save_theme(
            db.session, theme_id, logo=logo, site_url=form.site_url.data or "",
            public_default=form.public_default.data,
            **{name: getattr(form, name).data for name in themes.FIELDS}))
        if ok:
            flash(gettext("Theme “%(name)s” saved.", name=saved.name), "success")
            return redirect(url_for("admin.theme_list"))
    status = 422 if form.is_submitted() else 200
    preview_args = {name: getattr(form, name).data or "" for name in themes.FIELDS[1:]}
    return render_template("admin/theme_form.html", form=form, theme=theme,
                           preview_args=preview_args), status


@bp.get("/themes/preview")
def theme_preview():
    """The theme being edited (its form values in the query, unsaved) on the newsletter
    starter template with sample data: the live preview beside the theme form."""
    return _template_html("newsletter", themes.preview_style(request.args))


@bp.get("/templates/<name>/preview")
def template_preview(name: str):
    """A starter template with a theme, rendered with sample data."""
    if name not in blocks.TEMPLATES:
        abort(404)
    theme_id = request.args.get("theme", type=int)
    theme = db.session.get(Theme, theme_id) if theme_id else None
    return _template_html(name, themes.style(theme))


def _template_html(name: str, style: rendering.Style):
    content = rendering.prepare(blocks.blocks_html(blocks.template_blocks(name)), None,
                                gettext(blocks.TEMPLATES[name][0]))
    out = rendering.render(content, style, rendering.sample_merge_data(),
                           rendering.Links(base_url=request.host_url.rstrip("/"),
                                           unsubscribe="#", profile="#"))
    return display.message_response(out.html)


