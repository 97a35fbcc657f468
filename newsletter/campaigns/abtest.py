"""A/B tests of a campaign's subject: the editor gives two to four subjects, a sample
(a percentage of the recipients, split equally between the subjects), a wait and the
metric (unique clickers, or openers when opens are tracked).

At start every recipient still has exactly one delivery: a random sample of them gets a
variant each (``Delivery.variant``), the others are the rest (``Delivery.ab_rest``), which
no claim takes while their variant is unset. When the wait is over (the reaper asks
``due``) or an editor picks now, ``decide`` names the winner (most unique clickers or
openers per delivered message, a tie goes to the first variant) and gives the rest the
winner's variant in one UPDATE; the caller then starts the sending jobs. So nobody in the
sample gets the winner too, and nobody is left out."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import and_, case, distinct, exists, func, or_, select, update

from newsletter.models import (
    AbMetric,
    AbTest,
    Campaign,
    CampaignStatus,
    Channel,
    Click,
    Delivery,
    DeliveryState,
)
from newsletter.platform import clock

from .drafts import CampaignError, get_campaign, status_name

MIN_VARIANTS, MAX_VARIANTS = 2, 4
MAX_WAIT_MINUTES = 7 * 24 * 60
_CHUNK = 500
#: a message that reached the recipient (sent, or an SMS the phone confirmed)
_DELIVERED = (DeliveryState.SENT, DeliveryState.DELIVERED)


def get_test(session, campaign_id: int) -> AbTest | None:
    return session.get(AbTest, campaign_id)


def configure(session, campaign_id: int, *, subjects: list[str], sample_percent: int,
              wait_minutes: int, metric: str) -> AbTest:
    """Set (or replace) the A/B test of a draft e-mail campaign. Errors name their field."""
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise CampaignError(gettext("Only a draft or a scheduled campaign can get an A/B test."))
    if campaign.channel != Channel.EMAIL:
        raise CampaignError(gettext("A/B tests are for e-mail campaigns."))
    if campaign.variants:
        raise CampaignError(gettext("This campaign has language variants with their own "
                                    "subjects: an A/B test needs a campaign in one language."))
    subjects = [s.strip() for s in subjects if s and s.strip()]
    if len(subjects) < MIN_VARIANTS:
        raise CampaignError(gettext("Give at least two subjects to compare."), "subject_2")
    if len(subjects) > MAX_VARIANTS:
        raise CampaignError(gettext("At most %(num)d subjects.", num=MAX_VARIANTS), "subject_1")
    if len(set(subjects)) != len(subjects):
        raise CampaignError(gettext("Each subject must differ from the others."), "subject_2")
    if not 1 <= sample_percent <= 99:
        raise CampaignError(gettext("The sample is between %(low)d and %(high)d %% of the "
                                    "recipients (the rest gets the winner).", low=1, high=99),
                            "sample_percent")
    if not 1 <= wait_minutes <= MAX_WAIT_MINUTES:
        raise CampaignError(gettext("Wait between 1 minute and 7 days."), "wait_minutes")
    if metric not in (AbMetric.CLICKS, AbMetric.OPENS):
        raise CampaignError(gettext("Choose clicks or opens."), "metric")
    if metric == AbMetric.OPENS and not campaign.track_opens:
        raise CampaignError(gettext("Opens are not tracked for this campaign: turn open "
                                    "tracking on in the editor, or choose clicks."), "metric")
    test = get_test(session, campaign_id) or AbTest(campaign_id=campaign_id)
    test.subjects, test.sample_percent = subjects, sample_percent
    test.wait_minutes, test.metric = wait_minutes, metric
    session.add(test)
    session.flush()
    return test


def remove(session, campaign_id: int) -> None:
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise CampaignError(gettext("The A/B test of a started campaign stays."))
    test = get_test(session, campaign_id)
    if test is not None:
        session.delete(test)
        session.flush()


def split(session, campaign: Campaign) -> int:
    """At start (after the deliveries exist and have their local hours): a random sample
    of the queued deliveries, ``sample_percent`` of them, dealt out to the variants in
    turn; every other delivery is the rest. The wait starts now, or at the sample's last
    local hour. Returns the sample's size (0 without a test)."""
    test = get_test(session, campaign.id)
    if test is None:
        return 0
    if campaign.variants:  # added after the test was set
        raise CampaignError(gettext("This campaign has language variants with their own "
                                    "subjects: remove the A/B test or the language variants "
                                    "before sending."))
    ids = list(session.scalars(select(Delivery.id).where(
        Delivery.campaign_id == campaign.id, Delivery.state == DeliveryState.QUEUED)))
    variants = len(test.subjects)
    size = max(variants, round(len(ids) * test.sample_percent / 100)) if ids else 0
    size = min(size, len(ids))
    secrets.SystemRandom().shuffle(ids)
    for variant in range(1, variants + 1):
        chosen = ids[variant - 1:size:variants]
        for start in range(0, len(chosen), _CHUNK):
            session.execute(update(Delivery).where(
                Delivery.id.in_(chosen[start:start + _CHUNK])).values(variant=variant)
                .execution_options(synchronize_session=False))
    session.execute(update(Delivery).where(
        Delivery.campaign_id == campaign.id, Delivery.variant.is_(None))
        .values(ab_rest=True).execution_options(synchronize_session=False))
    # with local-time delivery the wait starts when the sample's last hour has come
    last_hour = session.scalar(select(func.max(Delivery.not_before)).where(
        Delivery.campaign_id == campaign.id, Delivery.variant.is_not(None)))
    test.decide_at = max(clock.now(), last_hour or clock.now()) \
        + timedelta(minutes=test.wait_minutes)
    test.winner = test.decided_at = None
    session.flush()
    return size


@dataclass
class VariantResult:
    number: int
    subject: str
    sample: int  # deliveries of the sample with this variant
    sent: int  # delivered
    engaged: int  # unique clickers (or openers)
    rest: int = 0  # the rest's deliveries that got it as the winner

    @property
    def rate(self) -> float:
        return self.engaged / self.sent if self.sent else 0.0


def results(session, campaign_id: int) -> list[VariantResult]:
    """Per variant, over the sample: messages, delivered, unique clickers (openers: a click
    counts as an open), and how many of the rest got it."""
    test = get_test(session, campaign_id)
    if test is None:
        return []
    clicked = exists().where(Click.delivery_id == Delivery.id)
    engaged = or_(clicked, Delivery.opened_at.is_not(None)) \
        if test.metric == AbMetric.OPENS else clicked
    rows = session.execute(
        select(Delivery.variant, Delivery.ab_rest, func.count(),
               func.count(distinct(_when(Delivery.state.in_(_DELIVERED)))),
               func.count(distinct(_when(and_(Delivery.state.in_(_DELIVERED), engaged)))))
        .where(Delivery.campaign_id == campaign_id, Delivery.variant.is_not(None))
        .group_by(Delivery.variant, Delivery.ab_rest)).all()
    found = {(variant, rest): (total, sent, hits)
             for variant, rest, total, sent, hits in rows}
    out = []
    for number, subject in enumerate(test.subjects, start=1):
        total, sent, hits = found.get((number, False), (0, 0, 0))
        out.append(VariantResult(number, subject, total, sent, hits,
                                 rest=found.get((number, True), (0, 0, 0))[0]))
    return out


def _when(condition):
    """The delivery's id when ``condition`` holds (NULL otherwise), for COUNT(DISTINCT)."""
    return case((condition, Delivery.id))


def decide(session, campaign_id: int, decided_by: str = "automatically") -> int:
    """Name the winner now and release the rest with its variant. Returns the winner's
    number. The caller commits and starts the sending jobs."""
    test = get_test(session, campaign_id)
    if test is None:
        raise CampaignError(gettext("This campaign has no A/B test."))
    if test.winner is not None:
        raise CampaignError(gettext("The winner was already picked: variant %(n)s.", n=test.winner))
    campaign = get_campaign(session, campaign_id)
    if campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.PAUSED):
        raise CampaignError(gettext("The campaign is %(status)s; the winner is picked while "
                                    "it is sending.", status=status_name(campaign.status)))
    ranked = results(session, campaign_id)
    best = max(ranked, key=lambda r: (r.rate, -r.number))  # a tie goes to the first
    claimed = session.execute(
        update(AbTest).where(AbTest.campaign_id == campaign_id, AbTest.winner.is_(None))
        .values(winner=best.number, decided_at=clock.now(), decided_by=decided_by[:254])
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:  # picked meanwhile (the reaper and an editor at once)
        raise CampaignError(gettext("The winner was already picked."))
    session.execute(update(Delivery).where(
        Delivery.campaign_id == campaign_id, Delivery.ab_rest.is_(True),
        Delivery.variant.is_(None)).values(variant=best.number)
        .execution_options(synchronize_session=False))
    session.flush()
    session.refresh(test)
    return best.number


def due(session) -> list[int]:
    """Campaigns whose A/B wait is over and whose winner is not yet picked."""
    return list(session.scalars(select(AbTest.campaign_id).join(
        Campaign, Campaign.id == AbTest.campaign_id).where(
        AbTest.winner.is_(None), AbTest.decide_at <= clock.now(),
        Campaign.status == CampaignStatus.RUNNING)))
