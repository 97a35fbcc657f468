"""Public pages wear the owner's theme: the list's own, else the default theme (logo,
colours, a link back to the owner's site), through a style sheet per theme."""

from flask import Response, abort
from sqlalchemy.exc import SQLAlchemyError

from newsletter.content import themes
from newsletter.extensions import db
from newsletter.models import Theme

from . import bp


@bp.app_template_global()
def public_look(mlist=None) -> themes.PageLook | None:
    """The look of a public page about ``mlist`` (None: a page about no one list). An
    error page drawn after the database failed (or refused a write) goes without one."""
    try:
        theme = themes.public_theme(db.session, mlist)
    except SQLAlchemyError:
        return None
    return themes.page_look(theme) if theme is not None else None


@bp.get("/theme/<int:theme_id>.css")
def theme_css(theme_id: int):
    theme = db.session.get(Theme, theme_id) or abort(404)
    response = Response(themes.page_css(themes.page_look(theme)), mimetype="text/css")
    response.cache_control.max_age = 300
    return response
