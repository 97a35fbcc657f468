"""CSV export of a list or a search, safe to open in a spreadsheet."""

import csv
import io

from sqlalchemy import insert, select

from newsletter.extensions import db
from newsletter.models import Contact, Subscription
from tests.factories import list_with_contacts


def read_csv(response) -> list[list[str]]:
    """(Requests use buffered=True: the streamed body is read inside the request's context,
    as a WSGI server does.)"""
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # spreadsheets read the diacritics as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def test_list_export_escapes_formulas(client, login):
    login()
    mlist = list_with_contacts("a@example.sk", "b@example.sk", "c@example.sk", name="Weekly")
    list_with_contacts("other@example.sk", name="Other")
    a, b, c = db.session.scalars(select(Contact).order_by(Contact.id).limit(3)).all()
    a.first_name, a.last_name = "=HYPERLINK(\"http://evil\")", "+1+1"
    b.first_name, b.last_name = "@SUM(A1)", "-2"
    c.first_name, c.last_name = "\tTab", "\rCR"
    db.session.execute(
        Subscription.__table__.update().where(Subscription.contact_id == c.id)
        .values(status="unsubscribed"))
    db.session.commit()

    rows = read_csv(client.post(f"/admin/contacts/export.csv?list_id={mlist.id}", buffered=True))
    assert rows[0] == ["email", "phone", "first_name", "last_name", "language", "status",
                       "organization", "list_status", "created_at"]
    by_email = {r[0]: r for r in rows[1:]}
    assert set(by_email) == {"a@example.sk", "b@example.sk", "c@example.sk"}
    assert by_email["a@example.sk"][2:4] == ["'=HYPERLINK(\"http://evil\")", "'+1+1"]
    assert by_email["b@example.sk"][2:4] == ["'@SUM(A1)", "'-2"]
    assert by_email["c@example.sk"][2:4] == ["'\tTab", "'\rCR"]
    assert by_email["c@example.sk"][7] == "unsubscribed"


def test_filter_export_follows_the_search_across_pages(client, login):
    login()
    db.session.execute(insert(Contact), [
        {"email": f"u{i}@{'keep' if i % 2 else 'drop'}.sk", "language": "sk", "attributes": {},
         "status": "active"} for i in range(4500)])
    db.session.commit()
    rows = read_csv(client.post("/admin/contacts/export.csv?q=keep.sk", buffered=True))
    emails = [r[0] for r in rows[1:]]
    assert len(emails) == 2250 and len(set(emails)) == 2250
    assert all(e.endswith("@keep.sk") for e in emails)
    assert rows[1][7] == ""  # no list chosen: no list status


def test_export_button_carries_the_search(client, login):
    login()
    list_with_contacts("a@example.sk")
    text = client.get("/admin/contacts?q=example&status=active").text
    assert 'method="post" action="/admin/contacts/export.csv?q=example&amp;status=active"' \
        in text
