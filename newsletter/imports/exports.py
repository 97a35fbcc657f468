"""CSV export of a list or a contact filter, streamed in keyset pages (flat memory), and
safe against formula injection: a cell starting with =, +, -, @, tab or CR gets a
leading apostrophe so spreadsheets show it as text."""

import csv
import io
from collections.abc import Iterator

from sqlalchemy import func, select

from newsletter.audience.contacts import ContactFilter
from newsletter.models import Contact, Organization, Subscription
from newsletter.platform import audit
from newsletter.platform.csvcells import safe_cell

HEADER = ["email", "phone", "first_name", "last_name", "language", "status", "organization",
          "list_status", "created_at"]
PAGE = 2000


def record_export(session, flt: ContactFilter, actor: str) -> None:
    """Put the export in the audit log (before it streams): who, which filter, how many."""
    count = session.scalar(select(func.count()).select_from(Contact).where(*flt.where()))
    given = {k: v for k, v in vars(flt).items() if v not in ("", None)}
    subject = ", ".join(f"{k}={v}" for k, v in given.items()) or "all contacts"
    audit.record_export(session, actor, "contacts", f"contacts: {subject}", count)


def rows(session, flt: ContactFilter) -> Iterator[list]:
    """Contacts matching the filter, oldest first, one page of PAGE at a time."""
    after = 0
    list_status = (select(Subscription.status)
                   .where(Subscription.contact_id == Contact.id,
                          Subscription.list_id == flt.list_id, Subscription.channel == "email")
                   .scalar_subquery()) if flt.list_id else None
    columns = [Contact.id, Contact.email, Contact.phone, Contact.first_name, Contact.last_name,
               Contact.language, Contact.status, Organization.name,
               list_status if list_status is not None else Contact.status, Contact.created_at]
    while True:
        page = session.execute(
            select(*columns).outerjoin(Organization, Organization.id == Contact.organization_id)
            .where(*flt.where(), Contact.id > after).order_by(Contact.id).limit(PAGE)).all()
        if not page:
            return
        for row in page:
            values = list(row[1:])
            if flt.list_id is None:
                values[7] = ""
            values[8] = values[8].strftime("%Y-%m-%d %H:%M:%S")
            yield values
        after = page[-1][0]


def csv_lines(session, flt: ContactFilter) -> Iterator[str]:
    """The export as CSV text (UTF-8 with BOM so spreadsheet programs read the diacritics)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, values in enumerate(rows(session, flt), 1):
        writer.writerow([safe_cell(v) for v in values])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
