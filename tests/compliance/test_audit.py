"""The record (issue 13, section 3): every kind of entry the owner's audit log keeps, made
through the pages a user presses: downloads of personal data (which are POSTs for that
reason), accounts created, given another role or removed, sender and limit changes."""

import pytest
from sqlalchemy import select

from newsletter.blocklist import csv_files
from newsletter.errors import DomainError
from newsletter.extensions import db
from newsletter.models import ApiKey, AuditEntry, Campaign, User
from newsletter.platform import accounts, limits
from tests.blocklist.world import entry, make_world
from tests.conftest import PASSWORD
from tests.factories import draft, list_with_contacts

from .helpers import without_basis


def entries(action: str) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    return [(e.actor, e.subject, e.detail) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def test_a_contacts_export_is_recorded_and_only_by_post(client, login):
    viewer = login("viewer")  # a viewer may download (it is a read), and is recorded too
    mlist = list_with_contacts("a@example.com", "b@example.com", name="Weekly")
    assert client.get(f"/admin/contacts/export.csv?list_id={mlist.id}").status_code == 405
    response = client.post(f"/admin/contacts/export.csv?list_id={mlist.id}", buffered=True)
    assert response.status_code == 200 and "a@example.com" in response.text
    assert entries("export.contacts") == [
        (viewer.email, f"contacts: list_id={mlist.id}", "2 rows")]
    client.post("/admin/contacts/export.csv?q=b%40example", buffered=True)
    assert entries("export.contacts")[-1][1:] == ("contacts: q=b@example", "1 rows")


def test_a_consent_report_export_is_recorded(client, login):
    editor = login("editor")
    mlist = list_with_contacts("ok@example.com")
    without_basis(mlist, "nobasis@example.com")
    campaign = draft(mlist)
    page = client.get(f"/admin/campaigns/{campaign.id}/consent").text
    assert f'action="/admin/campaigns/{campaign.id}/consent.csv"' in page
    response = client.post(f"/admin/campaigns/{campaign.id}/consent.csv")
    lines = response.text.splitlines()
    assert lines[0] == "address,first_name,last_name,added"
    assert [line.split(",")[0] for line in lines[1:]] == ["nobasis@example.com"]
    assert entries("export.consent") == [
        (editor.email, f"campaign {campaign.id} “Test campaign”: recipients without a basis",
         "1 rows")]


def test_a_block_list_export_is_recorded(client, login):
    editor = login("editor")
    make_world()
    entry(email="jana@example.com")
    assert client.post("/admin/blocklist/export.csv").status_code == 200
    assert entries("export.blocklist") == [(editor.email, "block list", "1 rows")]
    assert "jana@example.com" in csv_files.export_entries(db.session, "x")


def test_a_download_of_rejected_import_rows_is_recorded(client, login, worker):
    from tests.admin.test_imports import mapping, start, upload

    editor = login("editor")
    mlist = list_with_contacts("old@example.com")
    csv = "email\nnot-an-address\nnew@example.com\n"
    import_id, _, _ = start(client, upload(client, mlist.id, "c.csv", csv.encode()),
                            **mapping("email", delimiter=","))
    worker()
    download = client.post(f"/admin/imports/{import_id}/rejected.csv", buffered=True)
    assert "not-an-address" in download.text
    assert entries("export.import_rejects") == [(editor.email, f"import {import_id} c.csv",
                                                 "1 rows")]


def test_role_changes_need_the_owner_password_and_keep_an_owner(client, login, make_user):
    owner = login("owner")
    editor = make_user("ed@example.com", "editor")
    wrong = client.post(f"/admin/users/{editor.id}", data={
        "role": "owner", "current_password": "not mine at all", "action": "role"})
    assert wrong.status_code == 422 and db.session.get(User, editor.id).role == "editor"
    client.post(f"/admin/users/{editor.id}", data={
        "role": "reviewer", "current_password": PASSWORD, "action": "role"})
    assert entries("user.role") == [(owner.email, "ed@example.com", "editor → reviewer")]
    page = client.get("/admin/users").text
    assert "Account role changed" not in page  # the log is its own page
    assert "Account role changed" in client.get("/admin/audit").text
    second = make_user("owner2@example.com", "owner")
    client.post(f"/admin/users/{second.id}", data={
        "role": "editor", "current_password": PASSWORD, "action": "role"})
    assert entries("user.role")[-1][1:] == ("owner2@example.com", "owner → editor")
    db.session.get(User, owner.id).role = "editor"  # an only owner demoting themselves
    db.session.get(User, second.id).role = "owner"
    db.session.commit()
    with pytest.raises(DomainError, match="only owner"):
        accounts.change_role(db.session, second.id, PASSWORD, second.id, "editor",
                             threshold=5, base_seconds=30, max_seconds=60)


def test_removing_an_account_ends_its_sessions_and_is_recorded(app, client, login,
                                                               make_user):
    owner = login("owner")
    editor = make_user("ed@example.com", "editor")
    other = app.test_client()
    other.post("/admin/login", data={"email": "ed@example.com", "password": PASSWORD})
    assert other.get("/admin/contacts").status_code == 200
    own = client.post(f"/admin/users/{owner.id}", data={
        "current_password": PASSWORD, "action": "remove"})
    assert own.status_code == 422  # not yourself (and the form is not even offered)
    done = client.post(f"/admin/users/{editor.id}", data={
        "current_password": PASSWORD, "action": "remove"}, follow_redirects=True)
    assert "ed@example.com was removed" in done.text
    assert other.get("/admin/contacts").status_code == 302  # logged out everywhere
    again = other.post("/admin/login", data={"email": "ed@example.com", "password": PASSWORD})
    assert again.status_code != 302
    assert entries("user.removed") == [(owner.email, "ed@example.com", "role editor")]
    assert limits.used(db.session, "users") == 1


def test_accounts_made_on_the_command_line_are_recorded(runner):
    result = runner.invoke(args=["users", "create", "--email", "boss@example.com",
                                 "--role", "owner", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert entries("user.created") == [
        ("command line (newsletter users create)", "boss@example.com", "role owner")]


def test_sender_changes_say_what_changed(client, login):
    owner = login("owner")
    data = {"name": "S", "from_name": "Shop", "from_email": "news@example.com",
            "rate_limit": 100, "rate_period": "hour"}
    client.post("/admin/senders/new", data=data)
    client.post("/admin/senders/1", data=data)  # nothing changed: nothing recorded
    client.post("/admin/senders/1", data={**data, "from_name": "Shop team",
                                          "rate_limit": 500})
    rows = entries("sender.saved")
    assert len(rows) == 2 and rows[0][2].startswith("created; name: — → S")
    assert rows[1] == (owner.email, "sender 1 news@example.com",
                       "from_name: Shop → Shop team; rate_limit: 100 → 500")
    client.post("/admin/senders/1/dkim", data={})
    assert entries("sender.dkim")[0][:2] == (owner.email, "sender 1 news@example.com")


def test_limit_changes_are_recorded_with_the_old_and_new_value(client, login):
    owner = login("owner")
    client.post("/admin/plan", data={"sms_parts_month": "500", "templates": "2"})
    client.post("/admin/plan", data={"sms_parts_month": "", "templates": "2"})
    assert entries("limits.changed") == [
        (owner.email, "plan limits",
         "sms_parts_month: unlimited → 500, templates: unlimited → 2"),
        (owner.email, "plan limits", "sms_parts_month: 500 → unlimited")]
    log = client.get("/admin/audit").text
    assert "Plan limits changed" in log and "sms_parts_month: 500 → unlimited" in log
    assert db.session.query(Campaign).count() == 0


def test_api_keys_made_and_revoked_are_recorded_without_their_secret(client, login):
    import re

    owner = login("owner")
    made = client.post("/admin/api-keys", data={
        "name": "Shop CMS", "scopes": ["contacts:read"], "rate_limit": "100/60"})
    token = re.search(r'id="new-api-key">([^<]+)<', made.text).group(1)
    prefix = token.split("_")[1]
    [(actor, subject, detail)] = entries("apikey.created")
    assert (actor, subject) == (owner.email, f"API key {prefix} “Shop CMS”")
    assert detail == "scopes contacts:read; 100/60" and token not in detail
    key_id = db.session.scalar(select(ApiKey.id))
    client.post(f"/admin/api-keys/{key_id}/revoke")
    client.post(f"/admin/api-keys/{key_id}/revoke")  # once revoked: nothing more to record
    assert entries("apikey.revoked") == [(owner.email, f"API key {prefix} “Shop CMS”", "")]
