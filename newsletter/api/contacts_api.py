"""/api/v1/contacts: search, create, update, upsert by e-mail (or phone), bulk upsert,
remove and erase; a contact's subscriptions and consent records."""

from newsletter.audience import contacts, integration, removal
from newsletter.extensions import db
from newsletter.imports.upsert import bulk_upsert

from .schemas import (
    BulkIn,
    BulkOut,
    ConsentList,
    ConsentOut,
    ContactFields,
    ContactOut,
    ContactPage,
    ContactPatch,
    ContactSearch,
    ErasedOut,
    SubscribeIn,
    SubscriptionList,
    SubscriptionOut,
    UnsubscribeIn,
    UpsertOut,
)
from .v1 import actor, decode_cursor, encode_cursor, endpoint, responses, spec, v1

TAGS = ["contacts"]


def contact_out(contact) -> ContactOut:
    return ContactOut.model_validate(contact, from_attributes=True)


def _given(model) -> dict:
    return model.model_dump(exclude_unset=True)


@v1.get("/contacts")
@endpoint("contacts", "read")
@spec.validate(query=ContactSearch, resp=responses(HTTP_200=ContactPage), tags=TAGS)
def search_contacts(query: ContactSearch):
    """Contacts, newest first; q is an e-mail, phone, name or organization."""
    flt = contacts.ContactFilter(q=query.q, list_id=query.list_id, status=query.status or "",
                                 language=query.language)
    rows, next_id = contacts.search(db.session, flt, before=decode_cursor(query.cursor),
                                    limit=query.limit)
    return ContactPage(data=[contact_out(c) for c in rows], next_cursor=encode_cursor(next_id))


@v1.post("/contacts")
@endpoint("contacts", "write", idempotent=True)
@spec.validate(json=ContactFields, resp=responses(HTTP_201=ContactOut), tags=TAGS)
def create_contact(json: ContactFields):
    """Create a contact (send an Idempotency-Key to make retries safe)."""
    return contact_out(integration.create(db.session, _given(json), actor())), 201


@v1.post("/contacts/upsert")
@endpoint("contacts", "write")
@spec.validate(json=ContactFields, resp=responses(HTTP_200=UpsertOut, HTTP_201=UpsertOut),
               tags=TAGS)
def upsert_contact(json: ContactFields):
    """Update the contact with this e-mail (or phone, without e-mail), or create it."""
    contact, created = integration.upsert(db.session, _given(json), actor())
    return UpsertOut(created=created, contact=contact_out(contact)), 201 if created else 200


@v1.post("/contacts/bulk")
@endpoint("contacts", "write")
@spec.validate(json=BulkIn, resp=responses(HTTP_200=BulkOut), tags=TAGS)
def bulk_upsert_contacts(json: BulkIn):
    """Upsert up to 10,000 contacts in one call, by e-mail, or by phone (E.164, +421…) for
    a row without e-mail (on a list with SMS, subscribed to its SMS channel). A row with
    neither, or with a value that is not valid, is reported in errors by its index; the
    other rows are applied."""
    counts = bulk_upsert(db.session, [r.model_dump(exclude_unset=True) for r in json.contacts],
                         list_id=json.list_id, legal_basis=json.legal_basis,
                         source=json.source, actor=actor())
    return BulkOut(**{**vars(counts), "errors": {
        k: [v] for k, v in counts.errors.items()}})


@v1.get("/contacts/<int:contact_id>")
@endpoint("contacts", "read")
@spec.validate(resp=responses(HTTP_200=ContactOut), tags=TAGS)
def get_contact(contact_id: int):
    """One contact."""
    return contact_out(integration.get_contact(db.session, contact_id))


@v1.patch("/contacts/<int:contact_id>")
@endpoint("contacts", "write")
@spec.validate(json=ContactPatch, resp=responses(HTTP_200=ContactOut), tags=TAGS)
def update_contact(contact_id: int, json: ContactPatch):
    """Change the fields given; attributes are merged."""
    return contact_out(integration.update(db.session, contact_id, _given(json), actor()))


@v1.delete("/contacts/<int:contact_id>")
@endpoint("contacts", "write")
@spec.validate(resp=responses(HTTP_200=ErasedOut), tags=TAGS)
def delete_contact(contact_id: int):
    """Unsubscribe from everything: the contact becomes inactive and keeps its history
    (seed 004: unsubscribed contacts are not deleted). Use /erase to remove the data."""
    contact = integration.get_contact(db.session, contact_id)
    removal.apply(db.session, "unsubscribe", [contact_id], actor())
    return ErasedOut(id=contact_id, status=contact.status)


@v1.post("/contacts/<int:contact_id>/erase")
@endpoint("contacts", "write")
@spec.validate(resp=responses(HTTP_200=ErasedOut), tags=TAGS)
def erase_contact(contact_id: int):
    """GDPR erasure: personal data removed; only a keyed hash of the address stays."""
    contact = integration.get_contact(db.session, contact_id)
    removal.apply(db.session, "erase", [contact_id], actor())
    return ErasedOut(id=contact_id, status=contact.status)


@v1.get("/contacts/<int:contact_id>/subscriptions")
@endpoint("subscriptions", "read")
@spec.validate(resp=responses(HTTP_200=SubscriptionList), tags=["subscriptions"])
def get_subscriptions(contact_id: int):
    """The contact's subscriptions per list and channel."""
    rows = integration.subscriptions_of(db.session, contact_id)
    return SubscriptionList(data=[SubscriptionOut.model_validate(s, from_attributes=True)
                                  for s in rows])


# not POST .../subscriptions: two rules on one path turn a too-large id into 405 (werkzeug)
@v1.post("/contacts/<int:contact_id>/subscribe")
@endpoint("subscriptions", "write", idempotent=True)
@spec.validate(json=SubscribeIn, resp=responses(HTTP_201=SubscriptionOut),
               tags=["subscriptions"])
def subscribe(contact_id: int, json: SubscribeIn):
    """Subscribe, confirmed, with the legal basis recorded as consent evidence."""
    sub = integration.subscribe(db.session, contact_id, json.list_id, channel=json.channel,
                                legal_basis=json.legal_basis, source=f"api: {json.source}")
    return SubscriptionOut.model_validate(sub, from_attributes=True), 201


@v1.post("/contacts/<int:contact_id>/unsubscribe")
@endpoint("subscriptions", "write")
@spec.validate(json=UnsubscribeIn, resp=responses(HTTP_200=SubscriptionOut),
               tags=["subscriptions"])
def unsubscribe(contact_id: int, json: UnsubscribeIn):
    """End one subscription; the withdrawal is recorded."""
    sub = integration.unsubscribe(db.session, contact_id, json.list_id, channel=json.channel,
                                  source=f"api: {json.source}")
    return SubscriptionOut.model_validate(sub, from_attributes=True)


@v1.get("/contacts/<int:contact_id>/consents")
@endpoint("subscriptions", "read")
@spec.validate(resp=responses(HTTP_200=ConsentList), tags=["subscriptions"])
def get_consents(contact_id: int):
    """Consent given and withdrawn, newest first."""
    rows = integration.consents_of(db.session, contact_id)
    return ConsentList(data=[ConsentOut.model_validate(c, from_attributes=True)
                             for c in rows])
