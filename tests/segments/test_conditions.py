"""Every kind of condition, AND/OR groups and the errors an editor sees, counted on a real
database (one set-based query each)."""

import pytest
from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Contact, ContactStatus
from newsletter.segments import segments
from newsletter.segments.conditions import SegmentError

from .world import build


def who(*groups, match="all") -> list[str]:
    """The names of the contacts the definition matches (and its count agrees)."""
    definition = {"match": match, "groups": [
        {"match": g[0], "conditions": [dict(zip(("kind", "op", "key", "value"), c,
                                                strict=False)) for c in g[1:]]}
        for g in groups]}
    clause = segments.matches(db.session, segments.normalized(definition))
    names = sorted(e.split("@")[0] for e in db.session.scalars(
        select(Contact.email).where(clause)))
    assert segments.count(db.session, definition) == len(names)
    return names


def one(kind, op, key="", value=""):
    return who(("all", (kind, op, key, value)))


@pytest.fixture
def world(app):
    return build()


def test_contact_fields_and_attributes(world):
    assert one("field", "equals", "first_name", "ANN") == ["ann"]
    assert one("field", "starts_with", "email", "b") == ["bob"]
    assert one("field", "contains", "email", "%") == []  # a wildcard is a plain character
    assert one("attribute", "equals", "city", "Bratislava") == ["ann", "dan", "eve"]
    assert one("attribute", "not_equals", "city", "bratislava") == ["bob", "cyd"]
    assert one("attribute", "empty", "city") == ["cyd"]
    assert one("attribute", "not_empty", "plan") == ["ann"]
    assert one("attribute", "ends_with", "city", "ha") == ["bob"]


def test_organization_and_lists(world):
    assert one("organization", "is", value="Acme") == ["ann"]
    assert one("organization", "is", value=f"#{world.acme}") == ["ann"]
    assert one("organization", "is_not", value="Acme") == ["bob", "cyd", "dan", "eve"]
    assert one("organization", "empty") == ["bob", "cyd", "dan", "eve"]
    # dan left News: membership means a confirmed subscription
    assert one("list", "member", value="News") == ["ann", "bob", "eve"]
    assert one("list", "not_member", value=str(world.offers)) == ["ann", "dan", "eve"]


def test_dates_and_consent(world):
    assert one("created", "within_days", value="30") == ["ann", "cyd", "dan", "eve"]
    assert one("created", "before", value="2000-01-01") == []
    assert one("created", "after", value="2000-01-01") == ["ann", "bob", "cyd", "dan", "eve"]
    assert one("consent", "has", value="legitimate_interest") == ["bob"]
    assert one("consent", "has_not", value="consent") == ["bob"]
    assert one("consent", "has", value="any") == ["ann", "bob", "cyd", "dan", "eve"]


def test_engagement(world):
    spring = str(world.spring)
    assert one("clicked_campaign", "yes", value="Spring") == ["ann", "bob"]
    assert one("clicked_campaign", "no", value=spring) == ["cyd", "dan", "eve"]
    assert one("received_campaign", "yes", value=spring) == ["ann", "bob", "dan"]
    assert one("received_campaign", "no", value=spring) == ["cyd", "eve"]
    assert one("clicked_recently", "yes", value="30") == ["ann"]
    assert one("clicked_recently", "yes", value="60") == ["ann", "bob"]
    assert one("clicked_ever", "no") == ["cyd", "dan", "eve"]
    assert one("bounced", "yes") == ["cyd"]
    assert one("bounced", "no") == ["ann", "bob", "dan", "eve"]


def test_a_contact_marked_bounced_counts_as_bounced(world):
    eve = db.session.scalar(select(Contact).where(Contact.email == "eve@example.com"))
    eve.status = ContactStatus.BOUNCED
    db.session.commit()
    assert one("bounced", "yes") == ["cyd", "eve"]


def test_and_or_groups(world):
    bratislava = ("attribute", "equals", "city", "bratislava")
    on_news = ("list", "member", "", "News")
    clicked = ("clicked_ever", "yes")
    assert who(("all", bratislava, on_news)) == ["ann", "eve"]
    assert who(("any", bratislava, clicked)) == ["ann", "bob", "dan", "eve"]
    # (Bratislava and on News) or (bounced)
    assert who(("all", bratislava, on_news), ("all", ("bounced", "yes")), match="any") == [
        "ann", "cyd", "eve"]
    # (Bratislava or clicked) and never bounced and not on Offers
    assert who(("any", bratislava, clicked),
               ("all", ("bounced", "no"), ("list", "not_member", "", "Offers"))) == [
        "ann", "dan", "eve"]
    assert who() == ["ann", "bob", "cyd", "dan", "eve"]  # no condition: everyone


@pytest.mark.parametrize("condition, message", [
    (("nonsense", "yes"), "Unknown kind"),
    (("list", "equals", "", "News"), "does not apply"),
    (("list", "member", "", "Nope"), "No list 'Nope'"),
    (("field", "equals", "password", "x"), "Choose a contact field"),
    (("attribute", "equals", "", "x"), "Name the attribute"),
    (("attribute", "equals", "city", ""), "Give a value"),
    (("created", "before", "", "yesterday"), "YYYY-MM-DD"),
    (("clicked_recently", "yes", "", "-3"), "number of days"),
    (("consent", "has", "", "whim"), "Choose a basis"),
])
def test_bad_conditions_are_named(world, condition, message):
    with pytest.raises(SegmentError, match=message) as caught:
        who(("all", ("bounced", "no"), condition))
    assert "Group 1, condition 2" in str(caught.value)
