"""Words the admin shows for stored values (a campaign's status, an account's role, a
sort order, a contact's or a subscription's status, texts workers stored), in the
signed-in account's language. The stored values stay English."""

from flask_babel import lazy_gettext

from newsletter.texts import shown

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
def status_labels() -> dict[str, str]:
    """Every campaign status's label, for the live status script (campaign-status.js)."""
    return {code: str(label) for code, label in STATUSES.items()}


@bp.app_template_global()
def stored_text(text: str | None) -> str:
    """A text a worker stored in English (a delivery's error, a skipped run's reason, a
    paused webhook's cause) in the reader's language (newsletter.texts)."""
    return shown(text)


@bp.app_template_global()
def role_label(role: str) -> str:
    return str(ROLES.get(role, role))


#: a contact's status (its badge, the search filter, the history's status changes)
CONTACT_STATUSES = {
    "active": lazy_gettext("active"), "inactive": lazy_gettext("inactive"),
    "bounced": lazy_gettext("undeliverable"), "erased": lazy_gettext("erased"),
    "archived": lazy_gettext("archived"),
}
#: one subscription's status on the contact and list pages
SUBSCRIPTION_STATUSES = {
    "unconfirmed": lazy_gettext("not confirmed yet"), "confirmed": lazy_gettext("confirmed"),
    "unsubscribed": lazy_gettext("unsubscribed"),
}
CONSENT_ACTIONS = {"granted": lazy_gettext("granted"), "withdrawn": lazy_gettext("withdrawn")}
LEGAL_BASES = {"consent": lazy_gettext("consent"),
               "legitimate_interest": lazy_gettext("legitimate interest"),
               "contract": lazy_gettext("contract")}
CHANNELS = {"email": lazy_gettext("E-mail"), "sms": "SMS"}
DELIVERY_STATES = {
    "queued": lazy_gettext("Queued"), "sending": lazy_gettext("Being sent"),
    "sent": lazy_gettext("Sent"), "delivered": lazy_gettext("Delivered"),
    "deferred": lazy_gettext("Deferred"), "failed": lazy_gettext("Failed"),
    "bounced": lazy_gettext("Bounced"), "blocked": lazy_gettext("Blocked"),
    "skipped": lazy_gettext("Skipped"), "cancelled": lazy_gettext("Cancelled"),
}
LIST_VISIBILITIES = {"public": lazy_gettext("Public"), "private": lazy_gettext("Private")}
OPT_INS = {"double": lazy_gettext("Double opt-in"), "single": lazy_gettext("Single opt-in")}
#: the contact fields whose changes the history records
CONTACT_FIELDS = {
    "email": lazy_gettext("E-mail"), "phone": lazy_gettext("Phone"),
    "phone_mobile": lazy_gettext("Mobile phone"), "phone_work": lazy_gettext("Work phone"),
    "phone_home": lazy_gettext("Home phone"), "phone_other": lazy_gettext("Other phone"),
    "first_name": lazy_gettext("First name"), "last_name": lazy_gettext("Last name"),
    "language": lazy_gettext("Language"), "time_zone": lazy_gettext("Time zone"),
    "status": lazy_gettext("Status"), "organization_id": lazy_gettext("Organization"),
    "branch_id": lazy_gettext("Branch"), "person_id": lazy_gettext("Person"),
    "attributes": lazy_gettext("Attributes"),
    "tracking_opt_out": lazy_gettext("No open and click tracking"),
}
#: the typed phone fields of the contact page
PHONE_KINDS = {"mobile": lazy_gettext("Mobile phone"), "work": lazy_gettext("Work phone"),
               "home": lazy_gettext("Home phone"), "other": lazy_gettext("Other phone")}
AUDIENCE_LABELS = {
    "contact_status": CONTACT_STATUSES, "subscription_status": SUBSCRIPTION_STATUSES,
    "consent_action": CONSENT_ACTIONS, "legal_basis": LEGAL_BASES, "channel": CHANNELS,
    "delivery_state": DELIVERY_STATES, "visibility": LIST_VISIBILITIES, "optin": OPT_INS,
    "contact_field": CONTACT_FIELDS, "phone_kind": PHONE_KINDS,
}


@bp.app_template_global()
def audience_label(kind: str, value: str | None) -> str:
    """The word shown for a stored value of contacts and lists (``AUDIENCE_LABELS``); an
    unknown value is shown as it is."""
    if value is None:
        return ""
    return str(AUDIENCE_LABELS[kind].get(value, value))


@bp.app_template_global()
def channels_label(channels: str) -> str:
    return ", ".join(audience_label("channel", c) for c in channels.split(",") if c)


@bp.app_template_global()
def history_value(field: str, value: str | None) -> str | None:
    """A value of the contact's change history: a status as its label, else as stored."""
    if value is not None and field == "status":
        return audience_label("contact_status", value)
    return value

