"""Organizations (with their registration numbers), their branches, and persons: what a
contact can belong to (OBERON, ABRA: the branch split and the block list use them)."""

from flask_babel import gettext
from sqlalchemy import select

from newsletter.models import Branch, Organization, Person

from .contacts import ContactError, clean_phone, name_field


def list_organizations(session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.name)))


def list_branches(session) -> list[tuple[Branch, Organization]]:
    return [(b, o) for b, o in session.execute(
        select(Branch, Organization).join(Organization)
        .order_by(Organization.name, Branch.name))]


def list_persons(session, limit: int = 500) -> list[Person]:
    return list(session.scalars(select(Person).order_by(Person.last_name, Person.first_name)
                                .limit(limit)))


def create_organization(session, name: str, registration_no: str = "",
                        phone: str = "") -> Organization:
    name = name_field(name, "name", gettext("The organization's name")) or ""
    if not name:
        raise ContactError(gettext("An organization needs a name."), "name")
    org = Organization(name=name, registration_no=registration_no.strip() or None,
                       phone=clean_phone(phone))
    session.add(org)
    session.flush()
    return org


def create_branch(session, organization_id: int, name: str) -> Branch:
    if session.get(Organization, organization_id) is None:
        raise ContactError(gettext("That organization does not exist."), "organization_id")
    name = name_field(name, "name", gettext("The branch's name")) or ""
    if not name:
        raise ContactError(gettext("A branch needs a name."), "name")
    branch = Branch(organization_id=organization_id, name=name)
    session.add(branch)
    session.flush()
    return branch


def create_person(session, first_name: str, last_name: str) -> Person:
    first = name_field(first_name, "first_name", gettext("The first name"))
    last = name_field(last_name, "last_name", gettext("The last name"))
    if not (first or last):
        raise ContactError(gettext("A person needs a first or last name."), "last_name")
    person = Person(first_name=first, last_name=last)
    session.add(person)
    session.flush()
    return person

