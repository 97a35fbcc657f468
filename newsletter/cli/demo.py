"""Demo data for ``make run``: an owner account, a list with two contacts, a draft."""

from sqlalchemy import select

from newsletter.audience import lists
from newsletter.campaigns import drafts
from newsletter.models import MailingList, OptIn, Role, User
from newsletter.platform import accounts

DEMO_OWNER = "demo@example.com"


def ensure_owner(session, password: str) -> str:
    """Create the demo owner, or give it this new password."""
    user = session.scalar(select(User).where(User.email == DEMO_OWNER))
    if user is None:
        accounts.create_user(session, DEMO_OWNER, Role.OWNER, password,
                             actor="newsletter dev (the demo owner)")
    else:
        accounts.set_password(session, user.id, password)
    return DEMO_OWNER


def ensure_data(session) -> None:
    if session.scalar(select(MailingList.id).limit(1)):
        return
    mlist = lists.create_list(session, "Monthly news", "Our monthly newsletter",
                                 optin=OptIn.DOUBLE)
    for email, first, last in (("alice@example.com", "Alice", "Novak"),
                               ("bob@example.com", "Bob", "Horvat")):
        lists.add_contact_to_list(session, mlist.id, email, first_name=first,
                                     last_name=last, source="demo data")
    owner = session.scalar(select(User).where(User.email == DEMO_OWNER))
    drafts.save_campaign(
        session, None, name="Welcome issue", subject="Hello from the demo",
        body_text="Hello,\n\nthis is the first issue of our demo newsletter.\n",
        list_ids=[mlist.id], sender_id=None, created_by_id=owner.id if owner else None,
    )
