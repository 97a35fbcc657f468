"""The contacts page's bulk actions, each handed to the domain service that owns it
(audience.removal, audience.membership, blocklist.entries); returns what to tell the
editor, in the editor's language. Export and the erase confirmation are handled by the view."""

from flask_babel import ngettext

from newsletter.audience import membership, removal
from newsletter.blocklist import entries

REMOVALS = ("unsubscribe", "archive", "erase")


def _removed(action: str, count: int) -> str:
    if action == "unsubscribe":
        return ngettext("%(num)d contact unsubscribed.", "%(num)d contacts unsubscribed.", count)
    if action == "archive":
        return ngettext("%(num)d contact archived.", "%(num)d contacts archived.", count)
    return ngettext("%(num)d contact erased.", "%(num)d contacts erased.", count)


def run(session, action: str, ids: list[int], list_id: int | None, user_id: int,
        actor: str) -> str:
    if action in REMOVALS:
        return _removed(action, removal.apply(session, action, ids, actor))
    if action == "add_to_list":
        done = membership.add_to_list(session, ids, list_id, actor)
        added = ngettext("%(num)d contact added to the list.",
                         "%(num)d contacts added to the list.", done.changed)
        if not done.skipped:
            return added
        return added + " " + ngettext(
            "%(num)d skipped (inactive, erased or left that list).",
            "%(num)d skipped (inactive, erased or left that list).", done.skipped)
    if action == "remove_from_list":
        done = membership.remove_from_list(session, ids, list_id, actor)
        removed = ngettext("%(num)d contact removed from the list.",
                           "%(num)d contacts removed from the list.", done.changed)
        if not done.skipped:
            return removed
        return removed + " " + ngettext("%(num)d was not on it.", "%(num)d were not on it.",
                                        done.skipped)
    if action == "block":
        made = entries.block_contacts(session, ids, user_id, actor)
        return ngettext("%(num)d address added to the block list.",
                        "%(num)d addresses added to the block list.", made)
    raise ValueError(f"unknown bulk action {action!r}")
