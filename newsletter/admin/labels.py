"""Words the admin shows for stored values (a campaign's status, an account's role, a
sort order), in the signed-in account's language. The stored values stay English."""

from flask_babel import lazy_gettext

from . import bp

STATUSES = {
    "draft": lazy_gettext("draft"), "scheduled": lazy_gettext("scheduled"),
    "review": lazy_gettext("review"), "running": lazy_gettext("running"),
    "paused": lazy_gettext("paused"), "finished": lazy_gettext("finished"),
    "cancelled": lazy_gettext("cancelled"),
}
ROLES = {"owner": lazy_gettext("owner"), "editor": lazy_gettext("editor"),
         "reviewer": lazy_gettext("reviewer"), "viewer": lazy_gettext("viewer")}
SORTS = {"newest": lazy_gettext("Newest first"), "oldest": lazy_gettext("Oldest first"),
         "name": lazy_gettext("Name A–Z"), "sent": lazy_gettext("Last sent first"),
         "scheduled": lazy_gettext("Next scheduled first")}


@bp.app_template_global()
def status_label(status: str) -> str:
    return str(STATUSES.get(status, status))


@bp.app_template_global()
def role_label(role: str) -> str:
    return str(ROLES.get(role, role))
