"""The spam score of a campaign's message: the message exactly as a recipient would get it
(sample merge data, the list headers, the DKIM signature) run through SpamAssassin
(``spamassassin -t -L``: local rules only, no network) when it is installed; the score,
the threshold and the rules that fired."""

import re
import shutil
import subprocess  # nosec B404: a fixed command, no shell
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext

from newsletter.campaigns.drafts import CampaignError, get_campaign
from newsletter.sending.messages import MessageFactory, MessageNotBuilt, Recipient

SUMMARY = re.compile(r"Content analysis details:\s+\((-?[\d.]+) points, (-?[\d.]+) required\)")
RULE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")


@dataclass(frozen=True)
class Rule:
    points: float
    name: str
    description: str


@dataclass
class SpamReport:
    score: float
    required: float
    rules: list[Rule] = field(default_factory=list)

    @property
    def is_spam(self) -> bool:
        return self.score >= self.required


def command() -> list[str] | None:
    """The SpamAssassin command line, or None when it is not installed."""
    program = shutil.which(current_app.config["SPAMASSASSIN_COMMAND"])
    return [program, "-t", "-L"] if program else None


def sample_message(session, campaign_id: int) -> bytes:
    campaign = get_campaign(session, campaign_id)
    config = current_app.config
    factory = MessageFactory(campaign, base_url=config["BASE_URL"],
                             default_from=config["MAIL_FROM"],
                             bounce_domain=config["BOUNCE_DOMAIN"])
    recipient = Recipient(delivery_id=0, campaign_id=campaign.id, contact_id=0,
                          address="reader@example.com", first_name="Jana",
                          last_name="Nováková", language=campaign.language, attributes={})
    try:
        return factory.build(recipient).data
    except MessageNotBuilt as exc:
        raise CampaignError(str(exc)) from None


def parse(output: str) -> SpamReport:
    summary = SUMMARY.search(output)
    if summary is None:
        raise CampaignError(gettext("SpamAssassin gave no report."))
    rules, table = [], output[summary.end():].split("\n----", 1)[-1]
    for line in table.splitlines()[1:]:
        match = RULE.match(line)
        if match:
            rules.append(Rule(float(match[1]), match[2], match[3].strip()))
        elif line.startswith(" " * 20) and rules and line.strip():  # a wrapped description
            last = rules[-1]
            rules[-1] = Rule(last.points, last.name, f"{last.description} {line.strip()}")
        elif not line.strip() and rules:
            break
    return SpamReport(float(summary[1]), float(summary[2]), rules)


def score(session, campaign_id: int) -> SpamReport:
    """Run SpamAssassin on the campaign's message (raises CampaignError when it cannot)."""
    cmd = command()
    if cmd is None:
        raise CampaignError(gettext("SpamAssassin is not installed on this server."))
    message = sample_message(session, campaign_id)
    try:
        result = subprocess.run(cmd, input=message, capture_output=True,  # nosec B603
                                timeout=current_app.config["SPAMASSASSIN_TIMEOUT"], check=False)
    except subprocess.TimeoutExpired:
        raise CampaignError(gettext("SpamAssassin took too long; try again.")) from None
    return parse(result.stdout.decode("utf-8", "replace"))
