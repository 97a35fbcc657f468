"""Every case of the block-list rules (DESIGN.md, seed 001), "blocked" and "still
reachable", for each recipient kind and both channels, checked twice: by the check view's
resolution (no deliveries) and by starting the campaign (delivery state and entry)."""

import pytest
from sqlalchemy import select

from newsletter.campaigns import lifecycle, recipients
from newsletter.extensions import db
from newsletter.models import Channel, Delivery
from tests.factories import list_with_contacts

from .world import campaign_for, entry, make_world, recipient

EMAIL, PHONE = "xy@zoz.sk", "+421900111222"

# recipient kinds: (organization, branch, person) as World attribute names
PERSON_ALONE = (None, None, "zobanova")
PERSON_IN_XXX = ("xxx", None, "zobanova")
PERSON_IN_YYY = ("yyy", None, "zobanova")
PERSON_AT_BX1 = ("xxx", "bx1", "zobanova")
OTHER_PERSON_ALONE = (None, None, "novak")
OTHER_PERSON_IN_XXX = ("xxx", None, "novak")
ORG_XXX = ("xxx", None, None)
ORG_YYY = ("yyy", None, None)
BRANCH_BX1 = (None, "bx1", None)  # the organization follows from the branch
BRANCH_BX2 = ("xxx", "bx2", None)
BRANCH_BY = (None, "by", None)
BARE = (None, None, None)

ORG = {"organization": "XXX"}
BRANCH = {"organization": "XXX", "branch": "XXX Bratislava"}
BRANCH_ONLY = {"branch": "XXX Bratislava"}
PERSON = {"person": "Jana Zobanová"}
PERSON_ORG = {"person": "Jana Zobanová", "organization": "11111111"}
ADDRESS = {"email": EMAIL, "phone": "+421 900 111 222"}  # the row's e-mail and phone
ADDRESS_ORG = {**ADDRESS, "organization": "XXX"}
ADDRESS_PERSON = {**ADDRESS, "person": "Jana Zobanová"}

BLOCKED, REACHABLE = True, False
CASES = [
    # organization only: the organization, its branches, persons in it, e-mails tied to it
    ("org/person alone", ORG, PERSON_ALONE, REACHABLE),
    ("org/person in org", ORG, PERSON_IN_XXX, BLOCKED),
    ("org/person in other org", ORG, PERSON_IN_YYY, REACHABLE),
    ("org/person at its branch", ORG, PERSON_AT_BX1, BLOCKED),
    ("org/organization", ORG, ORG_XXX, BLOCKED),
    ("org/other organization", ORG, ORG_YYY, REACHABLE),
    ("org/its branch", ORG, BRANCH_BX1, BLOCKED),
    ("org/other org's branch", ORG, BRANCH_BY, REACHABLE),
    ("org/bare e-mail", ORG, BARE, REACHABLE),
    # branch: that branch only
    ("branch/branch", BRANCH, BRANCH_BX1, BLOCKED),
    ("branch without org/branch", BRANCH_ONLY, BRANCH_BX1, BLOCKED),
    ("branch/other branch", BRANCH, BRANCH_BX2, REACHABLE),
    ("branch/organization", BRANCH, ORG_XXX, REACHABLE),
    ("branch/person in org", BRANCH, PERSON_IN_XXX, REACHABLE),
    ("branch/person at branch", BRANCH, PERSON_AT_BX1, BLOCKED),
    ("branch/person alone", BRANCH, PERSON_ALONE, REACHABLE),
    ("branch/bare e-mail", BRANCH, BARE, REACHABLE),
    # person + organization: that person in that organization only
    ("person+org/person in org", PERSON_ORG, PERSON_IN_XXX, BLOCKED),
    ("person+org/person at its branch", PERSON_ORG, PERSON_AT_BX1, BLOCKED),
    ("person+org/person alone", PERSON_ORG, PERSON_ALONE, REACHABLE),
    ("person+org/person in other org", PERSON_ORG, PERSON_IN_YYY, REACHABLE),
    ("person+org/other person in org", PERSON_ORG, OTHER_PERSON_IN_XXX, REACHABLE),
    ("person+org/organization", PERSON_ORG, ORG_XXX, REACHABLE),
    ("person+org/branch", PERSON_ORG, BRANCH_BX1, REACHABLE),
    ("person+org/bare e-mail", PERSON_ORG, BARE, REACHABLE),
    # person: everywhere, alone or in any organization
    ("person/person alone", PERSON, PERSON_ALONE, BLOCKED),
    ("person/person in org", PERSON, PERSON_IN_XXX, BLOCKED),
    ("person/person in other org", PERSON, PERSON_IN_YYY, BLOCKED),
    ("person/person at branch", PERSON, PERSON_AT_BX1, BLOCKED),
    ("person/other person", PERSON, OTHER_PERSON_ALONE, REACHABLE),
    ("person/organization", PERSON, ORG_XXX, REACHABLE),
    ("person/branch", PERSON, BRANCH_BX1, REACHABLE),
    ("person/bare e-mail", PERSON, BARE, REACHABLE),
    # e-mail (or phone): that address everywhere
    ("address/bare", ADDRESS, BARE, BLOCKED),
    ("address/person alone", ADDRESS, PERSON_ALONE, BLOCKED),
    ("address/person in org", ADDRESS, PERSON_IN_XXX, BLOCKED),
    ("address/organization", ADDRESS, ORG_XXX, BLOCKED),
    ("address/branch", ADDRESS, BRANCH_BX1, BLOCKED),
    # e-mail + organization: that address only in that organization
    ("address+org/organization", ADDRESS_ORG, ORG_XXX, BLOCKED),
    ("address+org/person in org", ADDRESS_ORG, PERSON_IN_XXX, BLOCKED),
    ("address+org/branch", ADDRESS_ORG, BRANCH_BX1, BLOCKED),
    ("address+org/bare", ADDRESS_ORG, BARE, REACHABLE),
    ("address+org/person alone", ADDRESS_ORG, PERSON_ALONE, REACHABLE),
    ("address+org/other organization", ADDRESS_ORG, ORG_YYY, REACHABLE),
    # e-mail + person: that address only of that person
    ("address+person/person alone", ADDRESS_PERSON, PERSON_ALONE, BLOCKED),
    ("address+person/person in org", ADDRESS_PERSON, PERSON_IN_XXX, BLOCKED),
    ("address+person/bare", ADDRESS_PERSON, BARE, REACHABLE),
    ("address+person/other person", ADDRESS_PERSON, OTHER_PERSON_ALONE, REACHABLE),
    ("address+person/organization", ADDRESS_PERSON, ORG_XXX, REACHABLE),
]


def _entry_refs(refs: dict, channel: str) -> dict:
    """An address entry names the e-mail for the e-mail channel and the phone for SMS."""
    if "email" in refs:
        drop = "phone" if channel == Channel.EMAIL else "email"
        refs = {k: v for k, v in refs.items() if k != drop}
    return refs


@pytest.mark.parametrize("channel", Channel.ALL)
@pytest.mark.parametrize(("refs", "row", "blocked"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_rule(app, channel, refs, row, blocked):
    world = make_world()
    mlist = list_with_contacts(name="Customers")
    org, branch, person = (getattr(world, name) if name else None for name in row)
    target = recipient(mlist, EMAIL, PHONE, organization=org, branch=branch, person=person)
    bystander = recipient(mlist, "someone@else.example", "+421900999999")
    rule = entry(channels=[channel], **_entry_refs(refs, channel))
    campaign = campaign_for(mlist, channel)

    check = recipients.check_recipients(db.session, campaign.id)
    by_contact = {r.contact_id: r.entry for r in check.rows}
    assert (check.total, check.blocked) == (2, int(blocked))
    assert by_contact[target.id] == (rule if blocked else None)
    assert by_contact[bystander.id] is None

    lifecycle.start_campaign(db.session, campaign.id)
    db.session.commit()
    states = {d.contact_id: (d.state, d.blocked_by_id)
              for d in db.session.scalars(select(Delivery))}
    assert states[target.id] == (("blocked", rule.id) if blocked else ("queued", None))
    assert states[bystander.id] == ("queued", None)


@pytest.mark.parametrize("channel", Channel.ALL)
def test_entry_forbidding_only_the_other_channel_does_not_block(app, channel):
    world = make_world()
    mlist = list_with_contacts(name="Customers")
    recipient(mlist, EMAIL, PHONE, organization=world.xxx, person=world.zobanova)
    other = Channel.SMS if channel == Channel.EMAIL else Channel.EMAIL
    entry(channels=[other], organization="XXX")
    entry(channels=[other], email=EMAIL, phone=PHONE)
    campaign = campaign_for(mlist, channel)
    assert recipients.check_recipients(db.session, campaign.id).blocked == 0
    lifecycle.start_campaign(db.session, campaign.id)
    assert db.session.scalar(select(Delivery.state)) == "queued"


def test_lowest_matching_entry_is_named(app):
    world = make_world()
    mlist = list_with_contacts(name="Customers")
    recipient(mlist, EMAIL, PHONE, organization=world.xxx, person=world.zobanova)
    first = entry(person="Jana Zobanová")
    entry(organization="XXX")
    entry(email=EMAIL)
    campaign = campaign_for(mlist)
    assert recipients.check_recipients(db.session, campaign.id).rows[0].entry == first
    lifecycle.start_campaign(db.session, campaign.id)
    assert db.session.scalar(select(Delivery.blocked_by_id)) == first.id


def test_check_with_an_empty_block_list_reaches_everyone_page_by_page(app):
    make_world()
    mlist = list_with_contacts(name="Customers")
    for n in range(5):
        recipient(mlist, f"r{n}@example.com", f"+42190000000{n}")
    campaign = campaign_for(mlist)
    first = recipients.check_recipients(db.session, campaign.id, page_size=2)
    assert (first.total, first.blocked, first.reachable, first.pages) == (5, 0, 5, 3)
    assert [r.address for r in first.rows] == ["r0@example.com", "r1@example.com"]
    last = recipients.check_recipients(db.session, campaign.id, page=9, page_size=2)
    assert (last.page, [r.address for r in last.rows]) == (3, ["r4@example.com"])
    assert recipients.check_recipients(db.session, campaign.id, blocked_only=True).rows == []
    assert db.session.scalar(select(Delivery.id)) is None  # checking creates nothing


@pytest.mark.parametrize(("channel", "refs"), [
    (Channel.SMS, {"email": EMAIL}),  # no texts to whoever has this e-mail address
    (Channel.EMAIL, {"phone": "+421 900 111 222"}),  # no e-mail to whoever has this phone
])
def test_the_other_address_of_a_recipient_is_matched_too(app, channel, refs):
    mlist = list_with_contacts(name="Customers")
    target = recipient(mlist, EMAIL, PHONE)
    recipient(mlist, "someone@else.example", "+421900999999")
    rule = entry(channels=[channel], **refs)
    campaign = campaign_for(mlist, channel)
    check = recipients.check_recipients(db.session, campaign.id)
    assert {r.contact_id: r.entry for r in check.rows}[target.id] == rule
    lifecycle.start_campaign(db.session, campaign.id)
    assert db.session.scalar(select(Delivery.blocked_by_id).where(
        Delivery.contact_id == target.id)) == rule.id
    assert recipients.check_recipients(db.session, campaign.id).blocked == 1
