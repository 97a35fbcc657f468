"""The block-list admin: entries (any combination of fields, channels, note, author),
search, edit, delete, CSV import and export, the check-recipients page and the campaign's
blocked section."""

import io

from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import BlocklistEntry, Branch
from tests.blocklist.world import campaign_for, entry, firm_audience, make_world


def _channels(e: BlocklistEntry) -> list[str]:
    return sorted(c.channel for c in e.channels)


def test_create_entry_with_every_field_and_author(client, login):
    user = login()
    make_world()
    response = client.post("/admin/blocklist/new", data={
        "organization": "11111111", "branch": "XXX Bratislava", "person": "jana zobanová",
        "email": "XY@Zoz.sk", "phone": "+421 900 111 222", "channels": ["email", "sms"],
        "note": "asked by phone"})
    assert response.status_code == 302
    e = db.session.scalar(select(BlocklistEntry))
    assert (e.organization.name, e.branch.name, e.person.name, e.email, e.phone) == (
        "XXX", "XXX Bratislava", "Jana Zobanová", "xy@zoz.sk", "+421900111222")
    assert _channels(e) == ["email", "sms"]
    assert (e.note, e.created_by_id) == ("asked by phone", user.id)
    listing = client.get("/admin/blocklist").text
    assert "xy@zoz.sk" in listing and "editor@example.com" in listing


def test_bad_entry_rerenders_with_field_errors_and_keeps_input(client, login):
    login()
    make_world()
    response = client.post("/admin/blocklist/new", data={
        "organization": "No Such Firm", "email": "not-an-address", "phone": "0900 111",
        "note": "kept note"})
    assert response.status_code == 422
    text = response.text
    assert "No organization is called" in text
    assert "is not a valid e-mail address" in text
    assert "country code" in text
    assert "Choose at least one channel" in text
    assert 'value="not-an-address"' in text and "kept note" in text
    assert db.session.scalar(select(BlocklistEntry)) is None


def test_empty_entry_and_branch_of_another_organization_are_refused(client, login):
    login()
    make_world()
    response = client.post("/admin/blocklist/new", data={"channels": ["email"]})
    assert response.status_code == 422
    assert "Fill at least one of organization" in response.text
    response = client.post("/admin/blocklist/new", data={
        "organization": "YYY", "branch": "XXX Bratislava", "channels": ["email"]})
    assert response.status_code == 422 and "No branch is called" in response.text
    bx1 = db.session.scalar(select(Branch).where(Branch.name == "XXX Bratislava"))
    response = client.post("/admin/blocklist/new", data={
        "organization": "YYY", "branch": f"#{bx1.id}", "channels": ["email"]})
    assert response.status_code == 422
    assert "Branch 'XXX Bratislava' belongs to 'XXX', not to 'YYY'." in response.text.replace(
        "&#39;", "'")
    assert db.session.scalar(select(BlocklistEntry)) is None


def test_edit_search_and_delete(client, login):
    login()
    make_world()
    kept = entry(email="keep@example.com", note="customer asked")
    gone = entry(organization="XXX", note="no mail to firms")
    form = client.get(f"/admin/blocklist/{gone.id}/edit").text
    assert 'value="11111111"' in form  # the organization by its registration number
    response = client.post(f"/admin/blocklist/{gone.id}/edit", data={
        "organization": "11111111", "person": "Peter Novák", "channels": ["sms"],
        "note": "only Novák, only SMS"})
    assert response.status_code == 302
    db.session.refresh(gone)
    assert (gone.person.name, _channels(gone), gone.note) == (
        "Peter Novák", ["sms"], "only Novák, only SMS")

    assert "keep@example.com" not in client.get("/admin/blocklist?q=novák").text
    assert "only Novák" in client.get("/admin/blocklist?q=Novák").text
    assert "only Novák" in client.get("/admin/blocklist?q=NOV").text
    found = client.get("/admin/blocklist?q=customer").text
    assert "keep@example.com" in found and "only Novák" not in found
    by_channel = client.get("/admin/blocklist?channel=sms").text
    assert "only Novák" in by_channel and "keep@example.com" not in by_channel

    response = client.post(f"/admin/blocklist/{gone.id}/delete", follow_redirects=True)
    assert f"entry #{gone.id} deleted" in response.text
    assert db.session.scalars(select(BlocklistEntry.id)).all() == [kept.id]


def test_viewer_reads_but_cannot_change(client, login):
    login("viewer")
    make_world()
    e = entry(email="a@example.com")
    assert client.get("/admin/blocklist").status_code == 200
    assert client.post("/admin/blocklist/new", data={
        "email": "b@example.com", "channels": ["email"]}).status_code == 403
    assert client.post(f"/admin/blocklist/{e.id}/delete").status_code == 403


def _upload(client, content: str, name="entries.csv"):
    return client.post("/admin/blocklist/import", data={
        "file": (io.BytesIO(content.encode()), name)}, content_type="multipart/form-data")


def test_csv_import_keeps_good_rows_and_reports_bad_ones_by_line(client, login):
    login()
    make_world()
    response = _upload(client, (
        "organization;branch;person;email;phone;channels;note\n"
        "XXX;;;;;email;whole firm\n"
        "22222222;YYY Žilina;;;;email sms;one branch\n"
        "Nobody Ltd;;;;;email;unknown firm\n"
        ";;Jana Zobanová;;;email,sms;\n"
        ";;;broken@;;email;bad address\n"
        ";;;x@example.com;;fax;bad channel\n"
        ";;;;+421 900 111 222;sms;phone only\n"
        "XXX;;;;;email;same again\n"
        "XXX;;;;;sms;more channels\n"))
    assert response.status_code == 422
    text = response.text
    assert "<strong>4</strong> entries added" in text
    assert "<strong>2</strong> already on the list" in text
    assert "as entry #1, forbidding only email: edit it to add channels." in text
    assert "<strong>3</strong> rows with errors" in text
    rows = response.text.split('id="import-errors"')[1]
    assert "<td>4</td>" in rows and "No organization is called" in rows
    assert "<td>6</td>" in rows and "not a valid e-mail address" in rows
    assert "<td>7</td>" in rows and "Unknown channel fax" in rows
    entries = db.session.scalars(select(BlocklistEntry).order_by(BlocklistEntry.id)).all()
    assert [e.note for e in entries] == ["whole firm", "one branch", "", "phone only"]
    assert _channels(entries[1]) == ["email", "sms"]
    assert entries[3].phone == "+421900111222"


def test_csv_import_refuses_a_file_without_known_columns(client, login):
    login()
    response = _upload(client, "name,address\nA,b@example.com\n")
    assert response.status_code == 422
    assert "Unknown column" in response.text or "must name the columns" in response.text
    response = client.post("/admin/blocklist/import", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV file." in response.text


def test_csv_export_escapes_formulas_and_imports_back(client, login):
    login()
    make_world()
    entry(channels=["email", "sms"], organization="XXX", note="=HYPERLINK(\"http://x\")")
    entry(channels=["sms"], phone="+421900111222", note="@SUM(A1)")
    entry(person="Jana Zobanová", email="jana@example.com", note="-2+3")
    response = client.post("/admin/blocklist/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.text.splitlines()
    assert lines[0] == "organization,branch,person,email,phone,channels,note"
    assert lines[1] == "11111111,,,,,email sms,\"'=HYPERLINK(\"\"http://x\"\")\""
    assert lines[2] == ",,,,'+421900111222,sms,'@SUM(A1)"
    assert lines[3] == ",,Jana Zobanová,jana@example.com,,email,'-2+3"

    db.session.execute(BlocklistEntry.__table__.delete())
    db.session.commit()
    imported = _upload(client, response.text)
    assert imported.status_code == 200 and "<strong>3</strong> entries added" in imported.text
    again = db.session.scalars(select(BlocklistEntry).order_by(BlocklistEntry.id)).all()
    assert [(e.phone, e.note) for e in again] == [
        (None, "=HYPERLINK(\"http://x\")"), ("+421900111222", "@SUM(A1)"), (None, "-2+3")]


def test_check_recipients_page_and_blocked_section_on_the_campaign(client, login, worker):
    login()
    campaign = campaign_for(firm_audience(make_world()))
    rule = entry(organization="XXX", note="firm said no")
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert f"/admin/campaigns/{campaign.id}/recipients-check" in page

    check = client.get(f"/admin/campaigns/{campaign.id}/recipients-check").text
    assert 'data-stat="total">3<' in check and 'data-stat="blocked">2<' in check
    row = check.split('data-address="jana@xxx.sk"')[1].split("</tr>")[0]
    assert "blocked" in row and f"#{rule.id}" in row and "firm said no" in row
    assert "reachable" in check.split('data-address="jana@home.sk"')[1].split("</tr>")[0]
    only = client.get(f"/admin/campaigns/{campaign.id}/recipients-check?blocked=1").text
    assert "jana@xxx.sk" in only and "jana@home.sk" not in only

    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Sending started: 3 recipients." in response.text
    worker()
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert 'data-stat="blocked">2<' in page and 'data-stat="sent">1<' in page
    blocked = page.split('id="blocked"')[1].split("</table>")[0]
    assert "jana@xxx.sk" in blocked and f"#{rule.id}" in blocked and "firm said no" in blocked
