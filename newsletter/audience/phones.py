"""A contact's typed phone fields (mobile, work, home, other) beside its main ``phone``: each
stored in E.164 (a country code is required, never guessed), every change in the history.
An SMS campaign picks which field it sends to (``PhoneKind``)."""

from sqlalchemy import select

from newsletter.models import ContactChange, ContactPhone, PhoneKind

from .addresses import InvalidAddress, normalize_phone

LABELS = {PhoneKind.MAIN: "Phone", PhoneKind.MOBILE: "Mobile phone",
          PhoneKind.WORK: "Work phone", PhoneKind.HOME: "Home phone",
          PhoneKind.OTHER: "Other phone"}


def field_name(kind: str) -> str:
    """The form/history field of a typed phone ("phone_mobile")."""
    return f"phone_{kind}"


def phones_of(session, contact_id: int) -> dict[str, str]:
    """{kind: E.164} of the typed phones a contact has."""
    rows = session.execute(select(ContactPhone.kind, ContactPhone.number)
                           .where(ContactPhone.contact_id == contact_id)
                           .order_by(ContactPhone.kind))
    return {kind: number for kind, number in rows}


def form_data(session, contact_id: int) -> dict[str, str]:
    return {field_name(kind): number for kind, number in phones_of(session, contact_id).items()}


def clean(kind: str, value: str | None) -> str | None:
    """A typed phone as entered: empty is None, else E.164; InvalidAddress otherwise."""
    if kind not in PhoneKind.TYPED:
        raise ValueError(f"{kind!r} is not a typed phone field")
    value = (value or "").strip()
    return normalize_phone(value) if value else None


def set_phones(session, contact_id: int, values: dict[str, str | None],
               actor: str) -> list[ContactChange]:
    """Set the typed phones named in ``values`` (by kind; None or "" removes one) and record
    each real change. Raises InvalidAddress with ``field`` set to the form field's name."""
    cleaned = {}
    for kind, value in values.items():
        try:
            cleaned[kind] = clean(kind, value)
        except InvalidAddress as exc:
            exc.field = field_name(kind)
            raise
    rows = {row.kind: row for row in session.scalars(
        select(ContactPhone).where(ContactPhone.contact_id == contact_id))}
    recorded = []
    for kind, number in cleaned.items():
        row = rows.get(kind)
        old = row.number if row else None
        if old == number:
            continue
        if row is None:
            session.add(ContactPhone(contact_id=contact_id, kind=kind, number=number))
        elif number is None:
            session.delete(row)
        else:
            row.number = number
        change = ContactChange(contact_id=contact_id, field=field_name(kind), actor=actor,
                               old_value=old, new_value=number)
        session.add(change)
        recorded.append(change)
    session.flush()
    return recorded
