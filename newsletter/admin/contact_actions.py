"""The contacts page's bulk actions, each handed to the domain service that owns it
(audience.removal, audience.membership, blocklist.entries); returns what to tell the
editor. Export and the erase confirmation are handled by the view."""

from newsletter.audience import membership, removal
from newsletter.blocklist import entries

REMOVALS = {"unsubscribe": "unsubscribed", "archive": "archived", "erase": "erased"}


def run(session, action: str, ids: list[int], list_id: int | None, user_id: int,
        actor: str) -> str:
    if action in REMOVALS:
        count = removal.apply(session, action, ids, actor)
        return f"{count} contact(s) {REMOVALS[action]}."
    if action == "add_to_list":
        done = membership.add_to_list(session, ids, list_id, actor)
        return (f"{done.changed} contact(s) added to the list"
                + (f"; {done.skipped} skipped (inactive, erased or left that list)."
                   if done.skipped else "."))
    if action == "remove_from_list":
        done = membership.remove_from_list(session, ids, list_id, actor)
        return (f"{done.changed} contact(s) removed from the list"
                + (f"; {done.skipped} were not on it." if done.skipped else "."))
    if action == "block":
        made = entries.block_contacts(session, ids, user_id, actor)
        return f"{made} address(es) added to the block list."
    raise ValueError(f"unknown bulk action {action!r}")
