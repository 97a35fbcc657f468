"""Editors search, read, edit and remove contacts."""

import io
import re

from sqlalchemy import insert, select

from newsletter.audience import organizations
from newsletter.audience.suppression import address_hash
from newsletter.extensions import db
from newsletter.models import (
    BulkAction,
    ConsentRecord,
    Contact,
    ContactChange,
    Delivery,
    Subscription,
    Suppression,
)
from tests.factories import draft, list_with_contacts


def ids_on(page_text: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', page_text)]


def test_search_by_email_name_phone_and_organization(client, login):
    login()
    org = organizations.create_organization(db.session, "Tatra Banka")
    list_with_contacts("jana@example.sk", "peter@firma.sk")
    jana, peter = db.session.scalars(select(Contact).order_by(Contact.email)).all()
    jana.last_name, jana.phone = "Nováková", "+421905111222"
    peter.organization_id = org.id
    db.session.commit()
    for query, expected in (("JANA@", "jana@example.sk"), ("nováková", "jana@example.sk"),
                            (" Jana@Example.SK ", "jana@example.sk"),
                            ("+421 905 111 222", "jana@example.sk"),
                            ("905111", "jana@example.sk"), ("tatra", "peter@firma.sk")):
        text = client.get("/admin/contacts", query_string={"q": query}).text
        assert expected in text, query
        assert len(ids_on(text)) == 1, query


def test_filters_by_list_status_and_language(client, login):
    login()
    a = list_with_contacts("a1@example.sk", "a2@example.sk", name="A")
    list_with_contacts("b1@example.sk", name="B")
    inactive = db.session.scalar(select(Contact).where(Contact.email == "a2@example.sk"))
    inactive.status, inactive.language = "inactive", "cs"
    db.session.commit()
    assert len(ids_on(client.get(f"/admin/contacts?list_id={a.id}").text)) == 2
    text = client.get(f"/admin/contacts?list_id={a.id}&status=active").text
    assert "a1@example.sk" in text and "a2@example.sk" not in text
    text = client.get("/admin/contacts?language=cs").text
    assert ids_on(text) == [inactive.id]


def test_keyset_pages_cover_every_contact_once(client, login):
    login()
    db.session.execute(insert(Contact), [
        {"email": f"c{i:03}@example.sk", "language": "sk", "attributes": {},
         "status": "active"} for i in range(120)])
    db.session.commit()
    seen, url = [], "/admin/contacts"
    while url:
        text = client.get(url).text
        seen += ids_on(text)
        match = re.search(r'href="([^"]+)" rel="next"', text)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert len(seen) == 120 and len(set(seen)) == 120
    assert seen == sorted(seen, reverse=True)


def test_detail_shows_subscriptions_consents_messages_and_history(
        client, login, worker, smtp_server):
    user = login()
    mlist = list_with_contacts("reader@example.sk", name="Weekly")
    campaign = draft(mlist, subject="Issue one")
    client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"})
    worker()
    assert len(smtp_server.messages) == 1
    contact = db.session.scalar(select(Contact))
    response = client.post(f"/admin/contacts/{contact.id}/edit", data={
        "email": "reader@example.sk", "phone": "+421 905 000 111", "first_name": "Rea",
        "last_name": "Der", "language": "sk", "status": "active"})
    assert response.status_code == 302
    text = client.get(f"/admin/contacts/{contact.id}").text
    assert "Weekly" in text and "confirmed" in text
    assert "added by an editor" in text  # consent record source
    assert re.search(r"Test campaign</a></td><td>Sent</td><td>\d{4}-", text)  # received
    assert "+421905000111" in text and f"editor:{user.email}" in text
    changes = db.session.scalars(select(ContactChange.field)).all()
    assert set(changes) == {"phone", "first_name", "last_name", "language"}


def test_edit_errors_rerender_with_what_was_typed(client, login):
    login()
    list_with_contacts("a@example.sk", "b@example.sk")
    a = db.session.scalar(select(Contact).where(Contact.email == "a@example.sk"))
    base = {"email": "a@example.sk", "first_name": "Typed", "language": "sk",
            "status": "active"}
    response = client.post(f"/admin/contacts/{a.id}/edit", data={**base, "phone": "0905 1"})
    assert response.status_code == 422
    assert "needs a country code" in response.text and 'value="Typed"' in response.text
    response = client.post(f"/admin/contacts/{a.id}/edit", data={**base, "email": "B@example.sk"})
    assert response.status_code == 422
    assert "b@example.sk already belongs to another contact." in response.text
    db.session.refresh(a)
    assert a.first_name == "Test"


def test_branch_must_belong_to_the_chosen_organization(client, login):
    login()
    list_with_contacts("a@example.sk")
    one = organizations.create_organization(db.session, "One")
    two = organizations.create_organization(db.session, "Two")
    branch = organizations.create_branch(db.session, two.id, "Košice")
    db.session.commit()
    contact = db.session.scalar(select(Contact))
    response = client.post(f"/admin/contacts/{contact.id}/edit", data={
        "email": "a@example.sk", "language": "en", "status": "active",
        "organization_id": str(one.id), "branch_id": str(branch.id)})
    assert response.status_code == 422
    assert "The branch belongs to another organization." in response.text
    response = client.post(f"/admin/contacts/{contact.id}/edit", data={
        "email": "a@example.sk", "language": "en", "status": "active",
        "branch_id": str(branch.id)})
    assert response.status_code == 302
    db.session.refresh(contact)
    assert (contact.organization_id, contact.branch_id) == (two.id, branch.id)


def test_organizations_branches_and_persons(client, login):
    login()
    assert client.post("/admin/organizations", data={
        "org-name": "Oberon s.r.o.", "org-registration_no": "123", "org-submit": "1"}
    ).status_code == 302
    org = organizations.list_organizations(db.session)[0]
    assert client.post("/admin/organizations", data={
        "branch-organization_id": str(org.id), "branch-name": "Bratislava",
        "branch-submit": "1"}).status_code == 302
    assert client.post("/admin/organizations", data={
        "person-last_name": "Kováč", "person-submit": "1"}).status_code == 302
    response = client.post("/admin/organizations", data={"org-name": "", "org-submit": "1"})
    assert response.status_code == 422 and "This field is required." in response.text
    text = client.get("/admin/organizations").text
    assert "Oberon s.r.o." in text and "Bratislava" in text and "Kováč" in text


def test_bulk_unsubscribe_keeps_contacts_inactive_with_history(client, login):
    login()
    list_with_contacts("a@example.sk", "b@example.sk")
    ids = list(db.session.scalars(select(Contact.id)))
    response = client.post("/admin/contacts/bulk", data={"ids": ids, "action": "unsubscribe"},
                           follow_redirects=True)
    assert "2 contacts unsubscribed." in response.text
    assert {c.status for c in db.session.scalars(select(Contact))} == {"inactive"}
    assert {s.status for s in db.session.scalars(select(Subscription))} == {"unsubscribed"}
    withdrawn = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.action == "withdrawn")).all()
    assert len(withdrawn) == 2


def test_erasing_warns_offers_alternatives_and_keeps_only_a_hash(client, login, worker):
    login()
    mlist = list_with_contacts("gone@example.sk", "stay@example.sk")
    gone = db.session.scalar(select(Contact).where(Contact.email == "gone@example.sk"))
    response = client.post("/admin/contacts/bulk", data={"ids": [gone.id], "action": "erase"})
    assert response.status_code == 200
    assert "Unsubscribe them instead" in response.text and "Archive them instead" in response.text
    assert db.session.get(Contact, gone.id).email == "gone@example.sk"  # nothing happened yet

    response = client.post("/admin/contacts/bulk", data={
        "ids": [gone.id], "action": "erase", "confirm": "y"}, follow_redirects=True)
    assert "1 contact erased." in response.text
    db.session.expire_all()
    erased = db.session.get(Contact, gone.id)
    assert (erased.email, erased.first_name, erased.status) == (None, None, "erased")
    assert db.session.scalar(select(Suppression.address_hash)) == address_hash("gone@example.sk")
    assert db.session.scalar(select(Subscription).where(Subscription.contact_id == gone.id)) \
        is None

    # the address cannot come back through an import
    url = client.post("/admin/imports", data={
        "list_id": str(mlist.id), "file": (io.BytesIO(b"email\nGONE@example.sk\n"), "a.csv")},
        content_type="multipart/form-data").headers["Location"]
    client.post(url, data={"columns-0": "email", "encoding": "utf-8", "delimiter": ",",
                           "has_header": "y", "legal_basis": "consent"})
    worker()
    assert db.session.scalar(select(Contact).where(Contact.email == "gone@example.sk")) is None


def test_erasure_pseudonymizes_messages_received(client, login, worker, smtp_server):
    login()
    mlist = list_with_contacts("reader@example.sk")
    client.post(f"/admin/campaigns/{draft(mlist).id}/send", data={"confirmed": "1"})
    worker()
    contact = db.session.scalar(select(Contact))
    client.post("/admin/contacts/bulk", data={"ids": [contact.id], "action": "erase",
                                              "confirm": "y"})
    delivery = db.session.scalar(select(Delivery))
    assert delivery.address == f"erased-{contact.id}" and delivery.contact_id == contact.id


def test_repeated_mass_deletion_is_warned_about(client, login):
    login()
    list_with_contacts(*(f"u{i}@example.sk" for i in range(25)))
    ids = list(db.session.scalars(select(Contact.id).order_by(Contact.id)))
    first = client.post("/admin/contacts/bulk", data={"ids": ids[:10], "action": "erase"})
    assert "This is a mass deletion." in first.text and "Repeated mass deletion" not in first.text
    client.post("/admin/contacts/bulk", data={"ids": ids[:10], "action": "erase", "confirm": "y"})
    assert db.session.scalar(select(BulkAction.count)) == 10
    second = client.post("/admin/contacts/bulk", data={"ids": ids[10:], "action": "erase"})
    assert "Repeated mass deletion" in second.text
    assert "1 mass deletion in the last 24 hours" in second.text


def test_archive_sets_contacts_aside(client, login):
    login()
    list_with_contacts("a@example.sk")
    contact = db.session.scalar(select(Contact))
    client.post("/admin/contacts/bulk", data={"ids": [contact.id], "action": "archive"})
    db.session.refresh(contact)
    assert contact.status == "archived"
    assert db.session.scalar(select(Subscription.status)) == "confirmed"


def test_viewer_cannot_run_bulk_actions(client, login):
    login("viewer")
    assert client.post("/admin/contacts/bulk", data={"ids": [1], "action": "erase",
                                                     "confirm": "y"}).status_code == 403

