"""The admin blueprint: login required for everything but the login page, viewers read
only, and an owner-only area for accounts. Guarded here, once, not per route."""

from flask import Blueprint, abort, flash, make_response, render_template, request
from flask_babel import gettext
from flask_login import current_user

from newsletter.errors import DomainError
from newsletter.extensions import db, login_manager
from newsletter.models import Role
from newsletter.platform.ratelimit import RateLimited
from newsletter.platform.safemethods import SAFE_METHODS

bp = Blueprint("admin", __name__, url_prefix="/admin")
owner_bp = Blueprint("owner", __name__)

OPEN_ENDPOINTS = {"admin.login", "admin.static", "admin.set_password"}
#: downloads of personal data are POSTs (each goes to the audit log) but only read: a
#: viewer may make them
ANY_ROLE_POSTS = {"admin.logout", "admin.account",  # an account's own settings
                  "admin.contacts_export", "admin.blocklist_export", "admin.import_rejected",
                  "admin.consent_report_csv", "admin.campaign_clickers_csv"}
#: pages that exist only to change something: a viewer is refused when opening them, not
#: after filling them in
EDITING_PAGES = {
    "admin.edit_campaign", "admin.edit_variant", "admin.campaign_files", "admin.test_send",
    "admin.confirm_send", "admin.confirm_cancel", "admin.edit_theme", "admin.new_list",
    "admin.edit_list", "admin.contact_edit", "admin.blocklist_edit", "admin.import_setup",
    "admin.sequence_step_new",
    "admin.ab_test", "admin.local_delivery",
}


@bp.before_request
def require_login():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    writes = request.method not in SAFE_METHODS and request.endpoint not in ANY_ROLE_POSTS
    if (writes or request.endpoint in EDITING_PAGES) and not current_user.can_write():
        abort(403)
    return None


def perform(action) -> tuple[bool, object]:
    """Run one service call and commit; on a domain error roll back and flash it.
    Returns (succeeded, the call's result)."""
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False, None
    db.session.commit()
    return True, result


@bp.errorhandler(RateLimited)
def too_many(error: RateLimited):
    response = make_response(render_template(
        "errors/page.html", code=429, title=gettext("Too many attempts"), text=str(error)), 429)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


@owner_bp.before_request
def require_owner():
    if current_user.role != Role.OWNER:
        abort(403)


bp.register_blueprint(owner_bp)
