"""The spam-score button: the real SpamAssassin on the campaign's real message."""

import shutil

import pytest

from newsletter.compliance import spamscore
from newsletter.extensions import db
from tests.factories import draft, list_with_contacts

pytestmark = pytest.mark.skipif(shutil.which("spamassassin") is None,
                                reason="SpamAssassin is not installed (.ci/run installs it)")


def test_spam_score_shows_the_score_and_the_rules(client, login):
    login()
    campaign = draft(list_with_contacts("a@example.com"),
                     body="Cheap Viagra and Kamagra, buy now!\n")
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "Spam score</button>" in page
    response = client.post(f"/admin/campaigns/{campaign.id}/spam-score")
    assert response.status_code == 200
    assert "DRUGS_ERECTILE" in response.text and "erectile" in response.text.lower()
    report = spamscore.score(db.session, campaign.id)
    assert any(rule.name == "DRUGS_ERECTILE" and rule.points > 0 for rule in report.rules)
    assert report.required == 5.0


def test_the_message_scored_is_the_one_sent(app):
    campaign = draft(list_with_contacts("a@example.com"), body="Hello Jana,\nour news.\n")
    message = spamscore.sample_message(db.session, campaign.id)
    assert b"List-Unsubscribe:" in message and b"/u/" in message
    report = spamscore.score(db.session, campaign.id)
    assert not report.is_spam and report.score < 1.0


def test_a_missing_spamassassin_is_said(client, login, app):
    login()
    app.config["SPAMASSASSIN_COMMAND"] = "no-such-spamassassin"
    campaign = draft(list_with_contacts("a@example.com"))
    assert "Spam score</button>" not in client.get(f"/admin/campaigns/{campaign.id}").text
    response = client.post(f"/admin/campaigns/{campaign.id}/spam-score",
                           follow_redirects=True)
    assert "SpamAssassin is not installed" in response.text


def test_parse_joins_wrapped_descriptions():
    output = """Content analysis details:   (2.5 points, 5.0 required)

 pts rule name              description
---- ---------------------- --------------------------------------------------
 1.5 HTML_IMAGE_ONLY_04     BODY: HTML: images with 0-400 bytes of words
                            and more
 1.0 MISSING_DATE           Missing Date: header

"""
    report = spamscore.parse(output)
    assert report.score == 2.5 and [r.name for r in report.rules] == [
        "HTML_IMAGE_ONLY_04", "MISSING_DATE"]
    assert report.rules[0].description.endswith("0-400 bytes of words and more")
