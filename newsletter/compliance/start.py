"""The checked start: the checklist runs again, a blocking item refuses the start saying
why, warnings need the editor's confirmation, and contacts without a recorded basis are
left out (and counted)."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext, ngettext

from newsletter.campaigns.drafts import CampaignError, get_campaign
from newsletter.errors import DomainError
from newsletter.sending import sms

from . import checklist as checks
from . import review
from .domain import check_sender


class StartRefused(CampaignError):
    """A blocking item of the checklist."""


class NeedsConfirmation(DomainError):
    """Warnings the editor has not confirmed."""

    def __init__(self, warnings: list[checks.Item]):
        super().__init__(gettext("Confirm the warnings before sending: %(warnings)s",
                                 warnings=" ".join(item.text for item in warnings)))
        self.warnings = warnings


@dataclass(frozen=True)
class Started:
    created: int
    left_out: int
    notices: list[str]


def refresh_domain(session, campaign_id: int) -> None:
    """Redo the campaign sender's domain checks if their cache is stale. Run (and
    committed) before ``start``, so a refused start still leaves its result to show."""
    campaign = get_campaign(session, campaign_id)
    if campaign.sender_id and current_app.config["SENDER_CHECKS"]:
        check_sender(session, campaign.sender_id)


def start(session, campaign_id: int, confirmed: bool = False, actor: str = "") -> Started:
    """Run the checklist and start the campaign when it allows. The caller commits."""
    result = checks.run(session, campaign_id, refresh=True)
    if result.blocking:
        raise StartRefused(gettext("Not started: %(reasons)s",
                                   reasons=" ".join(i.text for i in result.blocking)))
    if not review.cleared(session, get_campaign(session, campaign_id)):
        raise StartRefused(gettext("Not started: the content needs a reviewer's approval "
                                   "(hold it for review first)."))
    if result.warnings and not confirmed:
        raise NeedsConfirmation(result.warnings)
    created = sms.start_campaign(session, campaign_id, actor=actor, require_basis=True)
    notices = [item.text for item in result.at(checks.NOTICE)]
    if result.left_out:
        notices.append(ngettext("%(num)d recipient without a recorded consent or legitimate "
                                "interest was left out.",
                                "%(num)d recipients without a recorded consent or legitimate "
                                "interest were left out.", result.left_out))
    return Started(created=created, left_out=result.left_out, notices=notices)
