"""A small audience with every property a segment condition reads: fields, attributes,
an organization, two lists, consent bases, old and new contacts, a sent campaign with
clicks (recent and old), a bounce and an unsubscribe."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.models import (
    Campaign,
    CampaignStatus,
    Click,
    Contact,
    Delivery,
    DeliveryState,
    LegalBasis,
    Link,
    Organization,
    Subscription,
    SubscriptionStatus,
    utcnow,
)


@dataclass
class World:
    news: int
    offers: int
    acme: int
    spring: int  # the campaign sent 40 days ago and again clicked today


def build() -> World:
    """ann: News, Bratislava, Acme, clicked Spring today.
    bob: News + Offers, Praha, legitimate interest, clicked Spring 40 days ago, old contact.
    cyd: Offers, no attributes, bounced on Spring.
    dan: News but unsubscribed, Bratislava, received Spring (no click).
    eve: News, Bratislava, added today, nothing received."""
    now = utcnow()
    news = lists.create_list(db.session, "News")
    offers = lists.create_list(db.session, "Offers")
    acme = Organization(name="Acme")
    db.session.add(acme)
    db.session.flush()
    people = {}
    for name, on, basis in [("ann", [news], LegalBasis.CONSENT),
                            ("bob", [news, offers], LegalBasis.LEGITIMATE_INTEREST),
                            ("cyd", [offers], LegalBasis.CONSENT),
                            ("dan", [news], LegalBasis.CONSENT),
                            ("eve", [news], LegalBasis.CONSENT)]:
        for mlist in on:
            people[name] = lists.add_contact_to_list(
                db.session, mlist.id, f"{name}@example.com", first_name=name.title(),
                legal_basis=basis)
    people["ann"].attributes = {"city": "Bratislava", "plan": "gold"}
    people["ann"].organization_id = acme.id
    people["bob"].attributes = {"city": "Praha"}
    people["dan"].attributes = {"city": "Bratislava"}
    people["eve"].attributes = {"city": "bratislava"}
    for name in ("ann", "bob", "cyd", "dan"):
        people[name].created_at = now - timedelta(days=100 if name == "bob" else 20)
    db.session.execute(
        Subscription.__table__.update()
        .where(Subscription.contact_id == people["dan"].id)
        .values(status=SubscriptionStatus.UNSUBSCRIBED))
    spring = Campaign(name="Spring", subject="Spring", body_text="Hi",
                      status=CampaignStatus.FINISHED)
    db.session.add(spring)
    db.session.flush()
    link = Link(campaign_id=spring.id, url="https://example.com/")
    db.session.add(link)
    deliveries = {}
    for name, state in [("ann", DeliveryState.SENT), ("bob", DeliveryState.SENT),
                        ("cyd", DeliveryState.BOUNCED), ("dan", DeliveryState.SENT)]:
        deliveries[name] = Delivery(campaign_id=spring.id, contact_id=people[name].id,
                                    address=people[name].email, state=state)
        db.session.add(deliveries[name])
    db.session.flush()
    db.session.add_all([
        Click(link_id=link.id, delivery_id=deliveries["ann"].id, clicked_at=now),
        Click(link_id=link.id, delivery_id=deliveries["bob"].id,
              clicked_at=now - timedelta(days=40)),
    ])
    db.session.commit()
    return World(news=news.id, offers=offers.id, acme=acme.id, spring=spring.id)


def emails(clause_ids) -> list[str]:
    return sorted(e.split("@")[0] for e in db.session.scalars(
        select(Contact.email).where(Contact.id.in_(clause_ids))))
