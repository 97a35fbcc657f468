"""/api/v1 block list (read, create, delete), SMS quota (read), sender identities (read)
and contact imports (upload a file, follow its progress, read its rejected rows)."""

from newsletter import jobs
from newsletter.blocklist import entries
from newsletter.extensions import db
from newsletter.imports import pipeline
from newsletter.models import BlocklistEntry, ContactImport, SenderIdentity
from newsletter.sms import quota

from .resource_schemas import (
    BlocklistIn,
    BlocklistOut,
    BlocklistPage,
    Deleted,
    ImportForm,
    ImportIssueOut,
    ImportIssues,
    ImportOut,
    Movement,
    SenderOut,
    SenderPage,
    SmsQuotaOut,
)
from .schemas import Page
from .v1 import ApiError, actor, endpoint, page_by_id, responses, spec, v1


# --- block list ---------------------------------------------------------------------------
def entry_out(entry: BlocklistEntry) -> BlocklistOut:
    return BlocklistOut(id=entry.id, organization_id=entry.organization_id,
                        branch_id=entry.branch_id, person_id=entry.person_id,
                        email=entry.email, phone=entry.phone,
                        channels=sorted(c.channel for c in entry.channels), note=entry.note,
                        created_at=entry.created_at)


def _entry(entry_id: int) -> BlocklistEntry:
    entry = db.session.get(BlocklistEntry, entry_id)
    if entry is None:
        raise ApiError(404, "not_found", "That block-list entry does not exist.")
    return entry


@v1.get("/blocklist")
@endpoint("blocklist", "read")
@spec.validate(query=Page, resp=responses(HTTP_200=BlocklistPage), tags=["blocklist"])
def get_blocklist(query: Page):
    """Block-list entries (seed 001), oldest first, a page at a time (cursor)."""
    rows, next_cursor = page_by_id(BlocklistEntry, query.limit, query.cursor)
    return BlocklistPage(data=[entry_out(e) for e in rows], next_cursor=next_cursor)


@v1.post("/blocklist")
@endpoint("blocklist", "write", idempotent=True)
@spec.validate(json=BlocklistIn, resp=responses(HTTP_201=BlocklistOut), tags=["blocklist"])
def create_blocklist_entry(json: BlocklistIn):
    """An entry: it matches a recipient when every field it fills equals the recipient's,
    on the channels it names."""
    data = entries.EntryData(**json.model_dump())
    try:
        entry = entries.save_entry(db.session, None, data)
    except entries.EntryInvalid as exc:
        raise ApiError(422, "invalid_request", "Some fields are not valid.",
                       {k: [v] for k, v in exc.errors.items()}) from None
    return entry_out(entry), 201


@v1.get("/blocklist/<int:entry_id>")
@endpoint("blocklist", "read")
@spec.validate(resp=responses(HTTP_200=BlocklistOut), tags=["blocklist"])
def get_blocklist_entry(entry_id: int):
    """One entry."""
    return entry_out(_entry(entry_id))


@v1.delete("/blocklist/<int:entry_id>")
@endpoint("blocklist", "write")
@spec.validate(resp=responses(HTTP_200=Deleted), tags=["blocklist"])
def delete_blocklist_entry(entry_id: int):
    """Remove an entry; deliveries it blocked stay blocked."""
    _entry(entry_id)
    entries.delete_entry(db.session, entry_id)
    return Deleted(id=entry_id, message="Deleted.")


# --- SMS quota and sender identities -------------------------------------------------------
@v1.get("/sms/quota")
@endpoint("sms", "read")
@spec.validate(resp=responses(HTTP_200=SmsQuotaOut), tags=["sms"])
def get_sms_quota():
    """The remaining SMS quota (seed 002), what running campaigns hold, and the latest
    movements."""
    balance = quota.balance(db.session)
    moves = [Movement(kind=m.kind, amount=m.amount, campaign_id=m.campaign_id, note=m.note,
                      created_at=m.created_at) for m in quota.movements(db.session, 50)]
    return SmsQuotaOut(available=balance.available, reserved=balance.reserved,
                       alphanumeric_sender=quota.alphanumeric_sender_allowed(db.session),
                       movements=moves)


def sender_out(sender: SenderIdentity) -> SenderOut:
    return SenderOut(id=sender.id, name=sender.name, from_name=sender.from_name,
                     from_email=sender.from_email, reply_to=sender.reply_to,
                     rate_limit=sender.rate_limit, rate_period=sender.rate_period,
                     dkim_domain=sender.dkim_domain, dkim_selector=sender.dkim_selector,
                     dkim_configured=bool(sender.dkim_private_key),
                     website_url=sender.website_url, created_at=sender.created_at)


@v1.get("/senders")
@endpoint("senders", "read")
@spec.validate(query=Page, resp=responses(HTTP_200=SenderPage), tags=["senders"])
def get_senders(query: Page):
    """Sender identities (read only; owners manage them in the admin)."""
    rows, next_cursor = page_by_id(SenderIdentity, query.limit, query.cursor)
    return SenderPage(data=[sender_out(s) for s in rows], next_cursor=next_cursor)


@v1.get("/senders/<int:sender_id>")
@endpoint("senders", "read")
@spec.validate(resp=responses(HTTP_200=SenderOut), tags=["senders"])
def get_sender(sender_id: int):
    """One sender identity."""
    sender = db.session.get(SenderIdentity, sender_id)
    if sender is None:
        raise ApiError(404, "not_found", "That sender identity does not exist.")
    return sender_out(sender)


# --- imports ------------------------------------------------------------------------------
def import_out(imp: ContactImport) -> ImportOut:
    return ImportOut(**pipeline.status(imp), list_id=imp.list_id, filename=imp.filename,
                     format=imp.format, mapping=imp.mapping or [],
                     created_at=imp.created_at, finished_at=imp.finished_at)


@v1.post("/imports")
@endpoint("imports", "write")
@spec.validate(form=ImportForm, resp=responses(HTTP_202=ImportOut), tags=["imports"])
def create_import(form: ImportForm):  # None when the body is not multipart
    """Upload a CSV or XML file of contacts for a list (multipart/form-data) and start
    importing it, read as guessed (encoding, delimiter, header row naming the columns);
    follow it at GET /imports/{id}."""
    if form is None or not hasattr(form.file, "stream"):
        raise ApiError(422, "invalid_request", "Send multipart/form-data with a file.",
                       {"file": ["Attach the file to import."]})
    try:
        imp = pipeline.store_upload(db.session, form.list_id, form.file.stream,
                                    form.file.filename or "upload.csv", actor())
        pipeline.configure(db.session, imp.id, legal_basis=form.legal_basis,
                           source=form.source, encoding=imp.encoding,
                           delimiter=imp.delimiter, has_header=imp.has_header,
                           mapping=imp.mapping)
    except pipeline.ImportSetupError as exc:
        raise ApiError(422, "refused", str(exc), {"file": [str(exc)]}) from None
    db.session.commit()
    jobs.enqueue_import(imp.id)
    return import_out(imp), 202


def _import(import_id: int) -> ContactImport:
    imp = db.session.get(ContactImport, import_id)
    if imp is None:
        raise ApiError(404, "not_found", "That import does not exist.")
    return imp


@v1.get("/imports/<int:import_id>")
@endpoint("imports", "read")
@spec.validate(resp=responses(HTTP_200=ImportOut), tags=["imports"])
def get_import(import_id: int):
    """An import's progress and counts."""
    return import_out(_import(import_id))


@v1.get("/imports/<int:import_id>/issues")
@endpoint("imports", "read")
@spec.validate(resp=responses(HTTP_200=ImportIssues), tags=["imports"])
def get_import_issues(import_id: int):
    """The rows that were not imported (the first 1,000), with the reason."""
    _import(import_id)
    return ImportIssues(data=[ImportIssueOut(line=i.line, reason=i.reason, value=i.value)
                              for i in pipeline.issues_for(db.session, import_id)])
