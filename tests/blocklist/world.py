"""The seed's example world: firm XXX with branches and the person Zobanová, plus others
to show what stays reachable; builders for recipient rows and block-list entries."""

from dataclasses import dataclass

from newsletter.audience import lists
from newsletter.blocklist import entries
from newsletter.campaigns import drafts
from newsletter.extensions import db
from newsletter.models import (
    Branch,
    Channel,
    ConsentRecord,
    Contact,
    Organization,
    Person,
    Subscription,
    SubscriptionStatus,
)
from tests.factories import list_with_contacts


@dataclass
class World:
    xxx: Organization
    yyy: Organization
    bx1: Branch
    bx2: Branch
    by: Branch
    zobanova: Person
    novak: Person


def make_world() -> World:
    xxx = Organization(name="XXX", registration_no="11111111")
    yyy = Organization(name="YYY", registration_no="22222222")
    db.session.add_all([xxx, yyy])
    db.session.flush()
    world = World(
        xxx=xxx, yyy=yyy,
        bx1=Branch(organization_id=xxx.id, name="XXX Bratislava"),
        bx2=Branch(organization_id=xxx.id, name="XXX Košice"),
        by=Branch(organization_id=yyy.id, name="YYY Žilina"),
        zobanova=Person(first_name="Jana", last_name="Zobanová"),
        novak=Person(first_name="Peter", last_name="Novák"),
    )
    db.session.add_all([world.bx1, world.bx2, world.by, world.zobanova, world.novak])
    db.session.commit()
    return world


def recipient(mlist, email: str, phone: str, *, organization=None, branch=None,
              person=None) -> Contact:
    """A contact confirmed on ``mlist`` for both channels, tied as given. A branch row
    carries only its branch: the organization must follow from it."""
    contact = lists.add_contact_to_list(db.session, mlist.id, email)
    contact.phone = phone
    contact.organization_id = organization.id if organization else None
    contact.branch_id = branch.id if branch else None
    contact.person_id = person.id if person else None
    db.session.add(Subscription(contact_id=contact.id, list_id=mlist.id, channel=Channel.SMS,
                                status=SubscriptionStatus.CONFIRMED))
    db.session.add(ConsentRecord(contact_id=contact.id, list_id=mlist.id, channel=Channel.SMS,
                                 action="granted", source="test world"))
    db.session.commit()
    return contact


def campaign_for(mlist, channel: str = Channel.EMAIL):
    campaign = drafts.save_campaign(db.session, None, name="Check", subject="Hi",
                                       body_text="Hello", list_ids=[mlist.id], sender_id=None)
    campaign.channel = channel
    if channel == Channel.SMS:
        campaign.sms_text, campaign.sms_gateway = "Hello", "outbox"
    db.session.commit()
    return campaign


def entry(channels=(Channel.EMAIL,), note="", **refs):
    """An entry through the domain function, fields given as references (names, ...)."""
    made = entries.save_entry(db.session, None, entries.EntryData(
        channels=list(channels), note=note, **refs))
    db.session.commit()
    return made


def firm_audience(world: World):
    """A list with three recipients: Zobanová at XXX, XXX's Bratislava branch office (its
    row names only the branch), and Zobanová on her own."""
    mlist = list_with_contacts(name="Customers")
    recipient(mlist, "jana@xxx.sk", "+421900000001", organization=world.xxx,
              person=world.zobanova)
    recipient(mlist, "office@xxx.sk", "+421900000002", branch=world.bx1)
    recipient(mlist, "jana@home.sk", "+421900000003", person=world.zobanova)
    return mlist
