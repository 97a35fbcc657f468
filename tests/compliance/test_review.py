"""Held for review: a matching campaign waits for a reviewer, who approves with a reason or
rejects with a message; the editor is told by mail and on the campaign; changed content
goes back to review; every step is in the audit log."""

from email import message_from_bytes, policy

from newsletter.compliance import review
from newsletter.extensions import db
from newsletter.models import AuditEntry, Campaign, CampaignReview, User
from newsletter.platform import accounts
from tests import factories
from tests.conftest import PASSWORD
from tests.factories import list_with_contacts

KRATOM = "Kúpte si kratómový prášok so zľavou 20 %!\n"


def held_campaign(client, login, body=KRATOM):
    editor = login("editor")
    campaign = factories.draft(list_with_contacts("a@example.com"), body=body)
    db.session.get(Campaign, campaign.id).created_by_id = editor.id
    db.session.commit()
    factories.tested(db.session.get(Campaign, campaign.id))
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert 'data-check="content"' in page and "holds the campaign for a reviewer" in page
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Held for review: the content matches Kratom" in response.text
    return campaign


def test_held_campaign_is_approved_with_a_reason_and_sent(client, login, worker,
                                                          smtp_server):
    campaign = held_campaign(client, login)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "review"
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "<mark>kratómový</mark>" in page and "Approve</button>" not in page  # editor
    worker()
    held_mail = message_from_bytes(smtp_server.messages[-1].data, policy=policy.default)
    assert held_mail["To"] == "editor@example.com"
    assert held_mail["Subject"] == "Held for review: Test campaign"
    smtp_server.reset()
    client.post("/admin/logout")
    login("reviewer")
    refused = client.post(f"/admin/campaigns/{campaign.id}/review/approve",
                          data={"note": ""}, follow_redirects=True)
    assert "Give a reason" in refused.text
    client.post(f"/admin/campaigns/{campaign.id}/review/approve",
                data={"note": "Informative article, no shop link"})
    worker()
    mail = message_from_bytes(smtp_server.messages[-1].data, policy=policy.default)
    assert mail["Subject"] == "Approved: Test campaign"
    assert "Informative article, no shop link" in mail.get_content()
    smtp_server.reset()
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Sending started: 1 recipient." in response.text
    worker()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["a@example.com"]]
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["review.held", "review.approved"]


def test_rejection_tells_the_editor_and_changed_content_goes_back(client, login, worker,
                                                                  smtp_server):
    campaign = held_campaign(client, login)
    client.post("/admin/logout")
    login("owner")
    client.post(f"/admin/campaigns/{campaign.id}/review/reject",
                data={"note": "Kratom sales are not allowed."})
    worker()
    assert "Kratom sales are not allowed." in message_from_bytes(
        smtp_server.messages[-1].data, policy=policy.default).get_content()
    client.post("/admin/logout")
    client.post("/admin/login", data={"email": "editor@example.com", "password": PASSWORD})
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "Rejected" in page and "Kratom sales are not allowed." in page
    # approved once, then changed: held again
    held = review.latest(db.session, campaign.id)
    held.state = "held"
    db.session.get(Campaign, campaign.id).status = "review"
    db.session.commit()
    editor_cannot = client.post(f"/admin/campaigns/{campaign.id}/review/approve",
                                data={"note": "me"}, follow_redirects=True)
    assert "Only a reviewer or an owner" in editor_cannot.text
    reviewer = accounts.create_user(db.session, "reviewer@example.com", "reviewer", PASSWORD)
    review.decide(db.session, campaign.id, reviewer, True, "fine")
    db.session.commit()
    assert review.cleared(db.session, db.session.get(Campaign, campaign.id))
    db.session.get(Campaign, campaign.id).body_text = KRATOM + "Now with a shop link.\n"
    db.session.commit()
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Held for review" in response.text
    assert db.session.query(CampaignReview).count() == 2


def test_seed_exceptions_pass_without_review(client, login):
    login()
    campaign = factories.draft(list_with_contacts("a@example.com"), body=(
        "Nový katalóg e-cigariet.\nTento newsletter je určený výhradne pre predajcov (B2B).\n"))
    factories.tested(db.session.get(Campaign, campaign.id))
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Sending started" in response.text


def test_scheduled_campaign_is_held_in_the_worker(app, worker):
    from datetime import timedelta

    from newsletter import queue
    from newsletter.campaigns import lifecycle
    from newsletter.models import utcnow

    campaign = factories.draft(list_with_contacts("a@example.com"), body=KRATOM)
    lifecycle.schedule_campaign(db.session, campaign.id, utcnow() + timedelta(minutes=5))
    db.session.get(Campaign, campaign.id).send_at = utcnow()  # and now the time has come
    db.session.commit()
    queue.enqueue(queue.SENDING, "newsletter.jobs.start_scheduled", campaign.id)
    worker()
    assert db.session.get(Campaign, campaign.id).status == "review"
    assert review.latest(db.session, campaign.id).findings[0]["category"] == "kratom"


def test_owner_edits_rules_tests_a_text_and_reads_the_audit_log(client, login):
    login("owner")
    page = client.get("/admin/review-rules").text
    assert "kratom*" in page and "Firearms to the public" in page
    tried = client.post("/admin/review-rules/try", data={"text": "Nové HHC kvety bez THC"})
    assert "<mark>HHC</mark>" in tried.text and "<mark>THC</mark>" not in tried.text
    bad = client.post("/admin/review-rules", data={"key": "kratom", "name": "Kratom",
                                                   "patterns": "", "active": "y"})
    assert bad.status_code == 422 and "Give at least one pattern." in bad.text
    client.post("/admin/review-rules", data={
        "key": "casino", "name": "Online casinos", "patterns": "casin*\nkasin*\nroulett*",
        "active": "y"})
    client.post("/admin/review-rules", data={
        "key": "kratom", "name": "Kratom", "patterns": "kratom*", "active": ""})
    tried = client.post("/admin/review-rules/try", data={
        "text": "Kasíno bonus 100 €, kratom akcia"}).text
    assert "<mark>Kasíno</mark>" in tried and "<mark>kratom</mark>" not in tried
    log = client.get("/admin/audit").text
    assert log.count("Review rules changed") == 2 and "category casino" in log


def test_only_owners_see_the_rules_and_the_log(client, login):
    login("reviewer")
    assert client.get("/admin/review-rules").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_the_record_holds_erasures_mass_actions_accounts_and_senders(client, login):
    from newsletter.models import Contact

    owner = login("owner")
    list_with_contacts("a@example.com", "b@example.com", "c@example.com")
    ids = [c.id for c in db.session.query(Contact).order_by(Contact.id)]
    client.post("/admin/contacts/bulk", data={"ids": ids[:2], "action": "unsubscribe"})
    client.post("/admin/contacts/bulk", data={"ids": [ids[2]], "action": "erase",
                                              "confirm": "y"})
    client.post("/admin/users", data={"email": "new@example.com", "role": "reviewer",
                                      "password": "another long password",
                                      "current_password": PASSWORD})
    client.post("/admin/senders/new", data={"name": "S", "from_name": "S",
                                            "from_email": "news@example.com",
                                            "rate_limit": 100, "rate_period": "hour"})
    rows = [(e.actor, e.action, e.subject) for e in
            db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert rows == [
        (f"editor:{owner.email}", "contacts.unsubscribe", "2 contacts"),
        (f"editor:{owner.email}", "contacts.erase", "1 contacts"),
        (owner.email, "user.created", "new@example.com"),
        (owner.email, "sender.saved", "sender 1 news@example.com"),
    ]
    page = client.get("/admin/audit").text
    assert "Contacts erased" in page and "Account created" in page and "role reviewer" in page


def _approved_composed(client, login):
    """A composed campaign with kratom in its blocks, held and approved by a reviewer."""
    editor = login("editor")
    mlist = list_with_contacts("a@example.com")
    form = {"name": "June", "subject": "Kratom news", "lists": [mlist.id], "sender": 0,
            "theme": 0, "template": "blank", "language": "en",
            "blocks-0-type": "text", "blocks-0-text": "<p>Kúpte si kratómový prášok.</p>"}
    assert client.post("/admin/campaigns/new", data=form).status_code == 302
    campaign = db.session.query(Campaign).one()
    assert campaign.created_by_id == editor.id
    held = review.hold_if_flagged(db.session, campaign.id, editor.email)
    reviewer = accounts.create_user(db.session, "reviewer@example.com", "reviewer", PASSWORD)
    review.decide(db.session, campaign.id, reviewer, True, "Informative, no shop")
    db.session.commit()
    assert held.content_hash == review.content_hash(campaign)
    return campaign, form


def test_changing_approved_content_holds_it_again_at_once(client, login, worker,
                                                          smtp_server):
    campaign, form = _approved_composed(client, login)
    # a save that changes no content (and a new name: not content) keeps the approval
    saved = client.post(f"/admin/campaigns/{campaign.id}/edit",
                        data={**form, "name": "June (final)"}, follow_redirects=True)
    assert "Campaign saved." in saved.text and "held for review again" not in saved.text
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"
    assert db.session.query(CampaignReview).count() == 1
    for change in ({"subject": "Kratom news, now 20 % off"},
                   {"blocks-0-text": "<p>Kúpte si kratómový prášok v našom e-shope.</p>"}):
        saved = client.post(f"/admin/campaigns/{campaign.id}/edit",
                            data={**form, **change}, follow_redirects=True)
        assert "changed after its approval, so the campaign is held for review again" \
            in saved.text and "(it matches Kratom)" in saved.text
        db.session.expire_all()
        assert db.session.get(Campaign, campaign.id).status == "review"
        assert review.latest(db.session, campaign.id).state == "held"
        worker()
        mail = message_from_bytes(smtp_server.messages[-1].data, policy=policy.default)
        assert mail["To"] == "editor@example.com"
        assert "changed after a reviewer approved it" in mail.get_content()
        refused = client.post(f"/admin/campaigns/{campaign.id}/send",
                              data={"confirmed": "1"}, follow_redirects=True)
        assert db.session.get(Campaign, campaign.id).status == "review"
        assert "Sending started" not in refused.text
        reviewer = db.session.query(User).filter_by(role="reviewer").one()
        review.decide(db.session, campaign.id, reviewer, True, "Still informative")
        db.session.commit()
    entries = db.session.query(AuditEntry).filter_by(action="review.held").all()
    assert [e.detail for e in entries] == [
        "Kratom", "changed after its approval: Kratom", "changed after its approval: Kratom"]


def test_a_new_language_variant_goes_back_to_review(client, login):
    campaign, form = _approved_composed(client, login)
    client.post(f"/admin/campaigns/{campaign.id}/variants/new", data={
        "language": "de", "subject": "Neuigkeiten", "blocks-0-type": "text",
        "blocks-0-text": "<p>Kratom-Pulver im Angebot.</p>"})
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "review"
    found = review.latest(db.session, campaign.id).findings
    assert any(f["where"].startswith("de:") and "Kratom" in f["passage"] for f in found)


def test_an_sms_campaign_is_reviewed_on_its_text(app):
    from newsletter.models import Channel

    campaign = factories.draft(list_with_contacts("a@example.com"), body="")
    row = db.session.get(Campaign, campaign.id)
    row.channel, row.sms_text = Channel.SMS, "Kratom -20 % len dnes! Odhlas: STOP"
    db.session.commit()
    held = review.hold_if_flagged(db.session, campaign.id, "editor@example.com")
    assert held is not None and held.findings[0]["where"] == "SMS text"


def test_the_preheader_is_reviewed_and_part_of_what_an_approval_covers(app):
    campaign = factories.draft(list_with_contacts("a@example.com"), body="Garden news\n")
    row = db.session.get(Campaign, campaign.id)
    before = review.content_hash(row)
    assert review.findings_of(db.session, row) == []
    row.preheader = "Kúpte si kratómový prášok so zľavou"
    db.session.commit()
    found = review.findings_of(db.session, row)
    assert [(f.where, f.name) for f in found] == [("preheader", "Kratom")], found
    assert review.content_hash(row) != before


def test_the_editor_is_told_in_their_admin_language(client, login, worker, smtp_server):
    """The review mail is written in the language the editor chose for the admin (their
    account page), not in the worker's English."""
    held_campaign(client, login)
    editor = db.session.scalar(db.select(User).where(User.email == "editor@example.com"))
    editor.language = "de"
    db.session.commit()
    worker()
    mail = message_from_bytes(smtp_server.messages[-1].data, policy=policy.default)
    assert mail["Subject"] == "Zur Prüfung zurückgehalten: Test campaign"
    body = mail.get_content()
    assert "Ihre Kampagne „Test campaign“" in body and "Your campaign" not in body
