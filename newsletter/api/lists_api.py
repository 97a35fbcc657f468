"""/api/v1/lists: read and create mailing lists."""

from newsletter.audience import lists
from newsletter.extensions import db
from newsletter.models import MailingList

from .schemas import ListIn, ListOut, ListPage, Page
from .v1 import ApiError, endpoint, page_by_id, responses, spec, v1


def list_out(mlist: MailingList) -> ListOut:
    return ListOut(id=mlist.id, key=mlist.key, name=mlist.name,
                   description=mlist.description, visibility=mlist.visibility,
                   optin=mlist.optin, language=mlist.language, purpose=mlist.purpose,
                   channels=(mlist.channels or "email").split(","),
                   created_at=mlist.created_at)


@v1.get("/lists")
@endpoint("lists", "read")
@spec.validate(query=Page, resp=responses(HTTP_200=ListPage), tags=["lists"])
def get_lists(query: Page):
    """Lists, oldest first, a page at a time (cursor)."""
    rows, next_cursor = page_by_id(MailingList, query.limit, query.cursor)
    return ListPage(data=[list_out(m) for m in rows], next_cursor=next_cursor)


@v1.post("/lists")
@endpoint("lists", "write", idempotent=True)
@spec.validate(json=ListIn, resp=responses(HTTP_201=ListOut), tags=["lists"])
def create_list(json: ListIn):
    """Create a list (send an Idempotency-Key to make retries safe)."""
    fields = json.model_dump()
    fields["channels"] = ",".join(dict.fromkeys(fields["channels"]))
    mlist = lists.create_list(db.session, **fields)
    return list_out(mlist), 201


@v1.get("/lists/<int:list_id>")
@endpoint("lists", "read")
@spec.validate(resp=responses(HTTP_200=ListOut), tags=["lists"])
def get_list(list_id: int):
    """One list."""
    mlist = db.session.get(MailingList, list_id)
    if mlist is None:
        raise ApiError(404, "not_found", "That list does not exist.")
    return list_out(mlist)
