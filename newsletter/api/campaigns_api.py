"""/api/v1/campaigns: create (from composer blocks or HTML), test send, schedule, start,
pause, resume, cancel and statistics, through the domain functions the admin views call."""

from datetime import UTC

from newsletter import jobs
from newsletter.campaigns import drafts, lifecycle, progress
from newsletter.compliance import review
from newsletter.compliance import start as checked
from newsletter.content import composer
from newsletter.extensions import db
from newsletter.models import Campaign
from newsletter.sending import testsend

from .campaign_schemas import (
    Accepted,
    CampaignIn,
    CampaignOut,
    CampaignPage,
    CampaignPatch,
    CampaignStats,
    ScheduleIn,
    TestSendIn,
)
from .schemas import Page
from .v1 import ApiError, actor, endpoint, page_by_id, responses, spec, v1

TAGS = ["campaigns"]


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.id, name=campaign.name, subject=campaign.subject, status=campaign.status,
        channel=campaign.channel, language=campaign.language,
        list_ids=[m.id for m in campaign.lists], segment_id=campaign.segment_id,
        send_at=campaign.send_at,
        started_at=campaign.started_at, finished_at=campaign.finished_at,
        tested_at=campaign.tested_at, created_at=campaign.created_at)


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise ApiError(404, "not_found", "That campaign does not exist.")
    return campaign


def _accepted(campaign_id: int, message: str) -> Accepted:
    return Accepted(id=campaign_id, status=_campaign(campaign_id).status, message=message)


@v1.get("/campaigns")
@endpoint("campaigns", "read")
@spec.validate(query=Page, resp=responses(HTTP_200=CampaignPage), tags=TAGS)
def get_campaigns(query: Page):
    """Campaigns, oldest first, a page at a time (cursor)."""
    rows, next_cursor = page_by_id(Campaign, query.limit, query.cursor)
    return CampaignPage(data=[campaign_out(c) for c in rows], next_cursor=next_cursor)


@v1.post("/campaigns")
@endpoint("campaigns", "write", idempotent=True)
@spec.validate(json=CampaignIn, resp=responses(HTTP_201=CampaignOut), tags=TAGS)
def create_campaign(json: CampaignIn):
    """A draft from composer blocks or from HTML (sanitized, merge tags checked)."""
    blocks = ([b.model_dump() for b in json.blocks] if json.blocks is not None
              else [{"type": "html", "text": json.html}])
    draft = composer.Draft(
        name=json.name, subject=json.subject, list_ids=json.list_ids, sender_id=json.sender_id,
        theme_id=None, template="blank", blocks=blocks, body_text="", text_edited=False,
        language=json.language, public_archive=json.public_archive,
        track_opens=json.track_opens, segment_id=json.segment_id)
    return campaign_out(composer.save_draft(db.session, None, draft)), 201


@v1.get("/campaigns/<int:campaign_id>")
@endpoint("campaigns", "read")
@spec.validate(resp=responses(HTTP_200=CampaignOut), tags=TAGS)
def get_campaign(campaign_id: int):
    """One campaign."""
    return campaign_out(_campaign(campaign_id))


@v1.patch("/campaigns/<int:campaign_id>")
@endpoint("campaigns", "write")
@spec.validate(json=CampaignPatch, resp=responses(HTTP_200=CampaignOut), tags=TAGS)
def update_campaign(campaign_id: int, json: CampaignPatch):
    """Change a draft's audience: a saved segment (segment_id), or null for everyone on
    its lists."""
    _campaign(campaign_id)
    return campaign_out(drafts.set_segment(db.session, campaign_id, json.segment_id))


@v1.get("/campaigns/<int:campaign_id>/statistics")
@endpoint("campaigns", "read")
@spec.validate(resp=responses(HTTP_200=CampaignStats), tags=TAGS)
def campaign_statistics(campaign_id: int):
    """Deliveries per state, progress and the rate over the last minute."""
    _campaign(campaign_id)
    return CampaignStats(**progress.live_status(db.session, campaign_id))


@v1.post("/campaigns/<int:campaign_id>/test")
@endpoint("campaigns", "write")
@spec.validate(json=TestSendIn, resp=responses(HTTP_202=Accepted), tags=TAGS)
def test_send(campaign_id: int, json: TestSendIn):
    """Send the test message to up to 10 addresses (queued; sent by a worker)."""
    _campaign(campaign_id)
    addresses, contact_id = testsend.request_test(
        db.session, campaign_id, ",".join(json.addresses), json.contact_email)
    db.session.commit()
    jobs.enqueue_test(campaign_id, addresses, contact_id)
    return _accepted(campaign_id, f"Test message queued for {', '.join(addresses)}."), 202


@v1.post("/campaigns/<int:campaign_id>/schedule")
@endpoint("campaigns", "write")
@spec.validate(json=ScheduleIn, resp=responses(HTTP_200=Accepted), tags=TAGS)
def schedule_campaign(campaign_id: int, json: ScheduleIn):
    """Start later; recipients are resolved when the time comes."""
    _campaign(campaign_id)
    send_at = json.send_at.astimezone(UTC).replace(tzinfo=None)
    lifecycle.schedule_campaign(db.session, campaign_id, send_at)
    db.session.commit()
    jobs.enqueue_start_at(campaign_id, send_at)
    return _accepted(campaign_id, f"Scheduled for {send_at:%Y-%m-%d %H:%M} UTC.")


@v1.post("/campaigns/<int:campaign_id>/start")
@endpoint("campaigns", "write")
@spec.validate(resp=responses(HTTP_200=Accepted), tags=TAGS)
def start_campaign(campaign_id: int):
    """Resolve the recipients and start sending now, through the same checked start as the
    admin's Send (calling it confirms the checklist's warnings): content that matches a
    review category is held for a reviewer instead (status review); a blocking item or a
    plan limit refuses the start (422) saying why; recipients without a recorded basis
    are left out and counted."""
    _campaign(campaign_id)
    checked.refresh_domain(db.session, campaign_id)
    db.session.commit()
    held = review.hold_if_flagged(db.session, campaign_id, actor())
    if held:
        db.session.commit()
        jobs.enqueue_review_mail(held.id)
        names = ", ".join(sorted({f["name"] for f in held.findings}))
        return _accepted(campaign_id, f"Held for review: the content matches {names}.")
    started = checked.start(db.session, campaign_id, confirmed=True, actor=actor())
    db.session.commit()
    queued = jobs.send_after_commit(campaign_id)
    return _accepted(campaign_id, " ".join([f"Sending started: {started.created} "
                                            f"recipients.", *started.notices,
                                            *([] if queued else [QUEUE_AWAY])]))


#: said when the job queue could not be reached right after the commit
QUEUE_AWAY = "The job queue cannot be reached: sending begins as soon as it is back."

CONTROLS = {
    "pause": (lambda s, c: lifecycle.set_paused(s, c, True), "Paused.", False),
    "resume": (lambda s, c: lifecycle.set_paused(s, c, False), "Sending resumed.", True),
    "cancel": (lifecycle.cancel_campaign, "Cancelled.", False),
}


def _control(campaign_id: int, action: str) -> Accepted:
    operation, message, start_jobs = CONTROLS[action]
    _campaign(campaign_id)
    operation(db.session, campaign_id)
    db.session.commit()
    if start_jobs and not jobs.send_after_commit(campaign_id):
        message = f"{message} {QUEUE_AWAY}"
    return _accepted(campaign_id, message)


@v1.post("/campaigns/<int:campaign_id>/pause")
@endpoint("campaigns", "write")
@spec.validate(resp=responses(HTTP_200=Accepted), tags=TAGS)
def pause_campaign(campaign_id: int):
    """Pause between messages."""
    return _control(campaign_id, "pause")


@v1.post("/campaigns/<int:campaign_id>/resume")
@endpoint("campaigns", "write")
@spec.validate(resp=responses(HTTP_200=Accepted), tags=TAGS)
def resume_campaign(campaign_id: int):
    """Resume a paused campaign."""
    return _control(campaign_id, "resume")


@v1.post("/campaigns/<int:campaign_id>/cancel")
@endpoint("campaigns", "write")
@spec.validate(resp=responses(HTTP_200=Accepted), tags=TAGS)
def cancel_campaign(campaign_id: int):
    """Stop for good; messages not yet sent are cancelled."""
    return _control(campaign_id, "cancel")
