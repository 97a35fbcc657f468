"""The contacts page as Mailchimp and listmonk users expect it: the total, filters by list,
status, consent basis and field value, bulk actions on the ticked or on all matching
contacts (add to list, remove from list, unsubscribe, block, export, erase) with a neutral
default."""

import re

from sqlalchemy import func, select

from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.models import (
    BlocklistEntry,
    ConsentRecord,
    Contact,
    Subscription,
    Suppression,
)
from tests.factories import list_with_contacts


def ids_on(page_text: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', page_text)]


def contact(email: str) -> Contact:
    return db.session.scalar(select(Contact).where(Contact.email == email))


def test_total_and_filters_by_consent_basis_and_field_value(client, login):
    login()
    weekly = list_with_contacts(*(f"r{i}@example.sk" for i in range(60)))
    lists.add_contact_to_list(db.session, weekly.id, "li@example.sk",
                              legal_basis="legitimate_interest")
    contact("r1@example.sk").attributes = {"city": "Žilina"}
    contact("r2@example.sk").attributes = {"city": "žilina"}
    contact("r3@example.sk").attributes = {"city": "Košice"}
    contact("r4@example.sk").first_name = "Zora"
    db.session.commit()
    page = client.get("/admin/contacts").text
    assert "<strong>61</strong> contacts" in page and len(ids_on(page)) == 50
    assert '<option selected value="">Choose an action…</option>' in page  # neutral
    by_basis = client.get("/admin/contacts?basis=legitimate_interest").text
    assert "<strong>1</strong> contact match" in by_basis and "li@example.sk" in by_basis
    city = client.get("/admin/contacts?field=city&value=%C5%BDILINA").text
    assert "<strong>2</strong> contacts match" in city
    assert "r1@example.sk" in city and "r2@example.sk" in city and "r3@" not in city
    named = client.get("/admin/contacts?field=first_name&value=zora").text
    assert "<strong>1</strong> contact match" in named and "r4@example.sk" in named
    both = client.get(f"/admin/contacts?list_id={weekly.id}&status=active&field=city"
                      "&value=Košice").text
    assert "<strong>1</strong> contact match" in both


def test_no_action_chosen_changes_nothing(client, login):
    login()
    list_with_contacts("a@example.sk")
    response = client.post("/admin/contacts/bulk", data={
        "ids": [contact("a@example.sk").id], "action": ""}, follow_redirects=True)
    assert "Choose an action." in response.text
    assert contact("a@example.sk").status == "active"


def test_add_to_and_remove_from_a_list_for_all_matching(client, login):
    login()
    weekly = list_with_contacts(*(f"r{i}@example.sk" for i in range(55)), "left@example.sk")
    news = list_with_contacts("left@example.sk", name="News")
    left = db.session.scalar(select(Subscription).where(
        Subscription.list_id == news.id))
    left.status = "unsubscribed"
    db.session.commit()
    added = client.post("/admin/contacts/bulk", data={
        "scope": "matching", "list_id": str(weekly.id), "action": "add_to_list",
        "to_list": str(news.id)}, follow_redirects=True).text
    # all 56 matching, not only the 50 on the page; who left News is not put back
    assert "55 contacts added to the list. 1 skipped" in added
    assert db.session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.list_id == news.id, Subscription.status == "confirmed")) == 55
    assert left.status == "unsubscribed"
    granted = db.session.scalar(select(func.count()).select_from(ConsentRecord).where(
        ConsentRecord.list_id == news.id, ConsentRecord.action == "granted",
        ConsentRecord.source.like("added to the list by editor:%")))
    assert granted == 55

    two = [contact("r1@example.sk").id, contact("r2@example.sk").id]
    removed = client.post("/admin/contacts/bulk", data={
        "ids": two, "action": "remove_from_list", "to_list": str(news.id)},
        follow_redirects=True).text
    assert "2 contacts removed from the list." in removed
    assert {s.status for s in db.session.scalars(select(Subscription).where(
        Subscription.list_id == news.id, Subscription.contact_id.in_(two)))} == {"unsubscribed"}
    assert contact("r1@example.sk").status == "active"  # still on Weekly
    assert "Choose the list." in client.post("/admin/contacts/bulk", data={
        "ids": two, "action": "add_to_list"}, follow_redirects=True).text


def test_block_export_and_unsubscribe_the_ticked(client, login):
    login()
    list_with_contacts("a@example.sk", "b@example.sk", "c@example.sk")
    ab = [contact("a@example.sk").id, contact("b@example.sk").id]
    blocked = client.post("/admin/contacts/bulk", data={"ids": ab, "action": "block"},
                          follow_redirects=True).text
    assert "2 addresses added to the block list." in blocked
    assert set(db.session.scalars(select(BlocklistEntry.email))) == {
        "a@example.sk", "b@example.sk"}
    again = client.post("/admin/contacts/bulk", data={"ids": ab, "action": "block"},
                        follow_redirects=True).text
    assert "0 addresses added" in again  # not twice

    export = client.post("/admin/contacts/bulk", data={"ids": ab, "action": "export"},
                         buffered=True)
    assert export.mimetype == "text/csv"
    body = export.get_data(as_text=True)
    assert "a@example.sk" in body and "b@example.sk" in body and "c@example.sk" not in body

    done = client.post("/admin/contacts/bulk", data={
        "scope": "matching", "q": "c@example.sk", "action": "unsubscribe"},
        follow_redirects=True).text
    assert "1 contact unsubscribed." in done
    assert contact("c@example.sk").status == "inactive"
    assert contact("a@example.sk").status == "active"


def test_erasing_all_matching_asks_first_and_carries_the_search(client, login):
    login()
    list_with_contacts(*(f"gone{i}@example.sk" for i in range(12)), "stay@example.sk")
    question = client.post("/admin/contacts/bulk", data={
        "scope": "matching", "q": "gone", "action": "erase"})
    assert "Erase 12 contacts?" in question.text and "This is a mass deletion." in question.text
    assert '<input type="hidden" name="scope" value="matching">' in question.text
    assert '<input type="hidden" name="q" value="gone">' in question.text
    assert db.session.scalar(select(func.count()).select_from(Suppression)) == 0
    client.post("/admin/contacts/bulk", data={
        "scope": "matching", "q": "gone", "action": "erase", "confirm": "y"})
    assert db.session.scalar(select(func.count()).select_from(Suppression)) == 12
    assert contact("stay@example.sk").status == "active"
