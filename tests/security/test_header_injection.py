"""No header injection: names with CR, LF or other control characters are refused where
they enter (CSV/XML import, forms, signup), and whatever reaches a header anyway (data from
before, a merge result) passes channels.headers, so the message the real SMTP server
receives has exactly the headers we wrote."""

import re
from email import message_from_bytes, policy

from sqlalchemy import select

from newsletter import jobs
from newsletter.audience import subscriptions
from newsletter.audience.subscriptions import Evidence
from newsletter.extensions import db
from newsletter.models import (
    CampaignAttachment,
    Contact,
    ContactImport,
    MailingList,
    SenderIdentity,
    Subscription,
)
from tests import factories
from tests.admin.test_imports import mapping, start, upload
from tests.factories import composed, list_with_contacts
from tests.public.helpers import public_list
from tests.sending.helpers import start as start_sending

INJECTION = "Eve\r\nBcc: victim@example.net\r\nX-Injected: yes"
CAMPAIGN_HEADERS = ["From", "List-Id", "MIME-Version", "Reply-To", "To", "Subject", "Date",
                    "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type"]
CSV = ("email,first_name,last_name\r\n"
       "gina@example.com,Gina,Good\r\n"
       '"eve@example.com","Eve\r\nBcc: victim@example.net",X\r\n'
       "nel@example.com,Nel\u0085Bcc: victim@example.net,Y\r\n"
       "sep@example.com,Sep\u2028Bcc: victim@example.net,Z\r\n")
XML = ("<contacts><contact><email>xml@example.com</email>"
       "<first_name>Eve&#13;&#10;Bcc: victim@example.net</first_name></contact>"
       "<contact><email>ok@example.com</email><first_name>Olga</first_name></contact>"
       "</contacts>")


def header_names(data: bytes) -> list[str]:
    """The header names of a message (or MIME part) as written, continuation lines
    folded into their header."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "\n" not in head.replace("\r\n", ""), "a bare LF in the headers"
    return [line.split(":", 1)[0] for line in re.sub(r"\r\n[ \t]", " ", head).split("\r\n")]


def imported(client, weekly, worker, name: str, data: bytes, columns) -> ContactImport:
    response = upload(client, weekly.id, name, data)
    import_id, _, _ = start(client, response, **columns)
    worker()
    return db.session.get(ContactImport, import_id)


def test_control_characters_in_imported_names_are_refused_row_by_row(client, login, weekly,
                                                                     worker):
    login()
    csv = imported(client, weekly, worker, "c.csv", CSV.encode(),
                   mapping("email", "first_name", "last_name", encoding="utf-8",
                           delimiter=","))
    assert (csv.created, csv.invalid) == (1, 3)
    report = client.get(f"/admin/imports/{csv.id}").text
    assert report.count("a name cannot contain line breaks or control characters") == 3
    xml = imported(client, weekly, worker, "c.xml", XML.encode(), {})
    assert (xml.created, xml.invalid) == (1, 1)
    names = set(db.session.scalars(select(Contact.first_name)))
    assert names == {"Gina", "Olga"}


def test_what_reaches_a_header_anyway_cannot_add_one(app, worker, smtp_server):
    """Data from before the entry checks: a contact's name in the merged subject, the
    list's name in List-Id, the sender's name in From, an attachment's file name."""
    mlist = list_with_contacts("eve@example.com", "gina@example.com")
    eve = db.session.scalar(select(Contact).where(Contact.email == "eve@example.com"))
    eve.first_name = INJECTION
    db.session.get(MailingList, mlist.id).name = "Weekly\nBcc: victim@example.net"
    sender = SenderIdentity(name="News", from_name="Acme\r\nBcc: victim@example.net",
                            from_email="news@acme.test", reply_to="reply@acme.test")
    db.session.add(sender)
    db.session.commit()
    campaign = composed(mlist, [{"type": "text", "text": "<p>Hi {{ first_name }}</p>"}],
                        subject="News for {{ first_name }}")
    campaign.sender_id = sender.id
    db.session.add(CampaignAttachment(campaign_id=campaign.id, filename="a\r\nBcc: v@x.pdf",
                                      content_type="application/pdf\r\nX-Injected: yes",
                                      size=3, data=b"pdf"))
    db.session.commit()
    start_sending(factories.tested(campaign))
    worker()

    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "eve@example.com", "gina@example.com"]
    for received in smtp_server.messages:
        assert received.rcpt_tos == [received.rcpt_tos[0]]
        assert header_names(received.data) == CAMPAIGN_HEADERS
        mail = message_from_bytes(received.data, policy=policy.default)
        attachment = next(mail.iter_attachments())
        boundary = re.search(rb'boundary="(=_mix_[0-9a-f]+)"', received.data).group(1)
        part = next(p for p in received.data.split(b"--" + boundary)
                    if b"Content-Disposition" in p)
        assert header_names(part.removeprefix(b"\r\n")) == [
            "Content-Type", "Content-Disposition", "Content-Transfer-Encoding"]
        assert attachment.get_content_type() == "application/octet-stream"
        assert "Bcc" not in mail and "X-Injected" not in mail
    eve_mail = message_from_bytes(next(m.data for m in smtp_server.messages
                                       if m.rcpt_tos == ["eve@example.com"]),
                                  policy=policy.default)
    assert eve_mail["Subject"] == "News for Eve  Bcc: victim@example.net  X-Injected: yes"
    assert eve_mail["From"].addresses[0].display_name == "Acme  Bcc: victim@example.net"
    assert eve_mail["List-Id"].startswith('"Weekly Bcc: victim@example.net" <')


def test_test_sends_and_subscriber_mail_cannot_add_headers_either(app, worker, smtp_server):
    mlist = list_with_contacts("eve@example.com")
    db.session.scalar(select(Contact)).first_name = INJECTION
    db.session.commit()
    campaign = composed(mlist, [{"type": "text", "text": "<p>Hi</p>"}],
                        subject="Hi {{ first_name }}")
    jobs.enqueue_test(campaign.id, ["tester@example.com"],
                      db.session.scalar(select(Contact.id)))
    signup_list = public_list()
    db.session.get(MailingList, signup_list.id).name = "Club\r\nBcc: victim@example.net"
    db.session.commit()
    result = subscriptions.signup(db.session, signup_list, "new@example.com", language="en",
                                  text_version="en-000000000000",
                                  evidence=Evidence("127.0.0.1", "test", "test"))
    db.session.commit()
    jobs.confirm_signup(result)
    worker()  # fails the test if a job failed

    test_mail, confirmation = smtp_server.messages
    assert header_names(test_mail.data) == [
        "From", "List-Id", "MIME-Version", "To", "Subject", "Date", "Message-ID",
        "Content-Type"]
    assert "Bcc" not in header_names(confirmation.data)
    assert "X-Injected" not in header_names(test_mail.data)
    mail = message_from_bytes(confirmation.data, policy=policy.default)
    assert mail["Subject"] == "Please confirm your subscription to Club  Bcc: " \
                              "victim@example.net"
    assert db.session.scalar(select(Subscription.id)) is not None


def test_names_are_checked_at_every_entry(client, login):
    login("owner")
    mlist = list_with_contacts("eve@example.com")
    contact_id = db.session.scalar(select(Contact.id))
    bad = "Eve\r\nBcc: victim@example.net"
    refused = {
        "list": client.post("/admin/lists/new", data={
            "name": bad, "visibility": "private", "optin": "double", "language": "en"}),
        "list edit": client.post(f"/admin/lists/{mlist.id}/edit", data={
            "name": bad, "visibility": "private", "optin": "double", "language": "en"}),
        "add to list": client.post(f"/admin/lists/{mlist.id}", data={
            "email": "new@example.com", "first_name": bad, "legal_basis": "consent"}),
        "contact edit": client.post(f"/admin/contacts/{contact_id}/edit", data={
            "email": "eve@example.com", "first_name": bad, "language": "en",
            "status": "active"}),
        "sender": client.post("/admin/senders/new", data={
            "name": "News", "from_name": bad, "from_email": "news@example.com",
            "rate_limit": "3000", "rate_period": "hour"}),
        "campaign": client.post("/admin/campaigns/new", data={
            "name": bad, "subject": "Hi", "lists": [mlist.id], "sender": 0, "theme": 0,
            "template": "blank", "language": "en"}),
        "subject": client.post("/admin/campaigns/new", data={
            "name": "Ok", "subject": "Hi\r\nBcc: victim@example.net", "lists": [mlist.id],
            "sender": 0, "theme": 0, "template": "blank", "language": "en"}),
    }
    for entry, response in refused.items():
        assert response.status_code == 422, entry
        assert "line breaks or control characters" in response.text, entry
    signup = client.post(f"/api/v1/subscribe/{public_list('Open').key}",
                         json={"email": "x@example.com", "first_name": bad})
    assert signup.status_code == 422
    assert db.session.scalar(select(Contact.first_name).where(Contact.id == contact_id)) == "Test"
    assert {m.name for m in db.session.scalars(select(MailingList))} == {"Weekly", "Open"}
    assert db.session.scalar(select(SenderIdentity)) is None
