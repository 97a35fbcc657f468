"""Every rendered campaign message scores below 1.0 in SpamAssassin's local rules, and its
HTML keeps working links and images after sanitizing and inlining."""

import os
import re
import shutil
import subprocess
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from newsletter.extensions import db
from newsletter.models import Theme
from tests.tracking.helpers import received, send

SPAMASSASSIN = shutil.which("spamassassin")

RICH = [
    {"type": "heading", "text": "Spring news from Acme"},
    {"type": "text", "text": '<p>Dear {{ first_name | default("reader") }},</p><p>this month '
     'we opened a new shop in Bratislava and our <a href="https://acme.example/blog/spring">'
     'blog</a> has the whole story, with photos from the opening day.</p>'},
    {"type": "image", "url": "/media/spring-photo", "label": "The new shop",
     "text": "https://acme.example/shops/bratislava"},
    {"type": "columns", "text": "<h3>Workshops</h3><p>Free repair workshops every Saturday "
     "morning for members.</p>", "text2": "<h3>Opening hours</h3><p>Monday to Friday, "
     "9:00 to 18:00.</p>"},
    {"type": "button", "label": "See the programme", "url": "https://acme.example/programme"},
    {"type": "divider"},
    {"type": "text", "text": "<p>Thank you for being with us.<br>The Acme team</p>"},
]


def spam_score(raw: bytes) -> tuple[float, str]:
    result = subprocess.run([SPAMASSASSIN, "-L", "-t"], input=raw, capture_output=True,
                            timeout=120, check=True)
    report = result.stdout.decode("utf-8", "replace")
    status = message_from_bytes(result.stdout, policy=policy.default)["X-Spam-Status"]
    return float(re.search(r"score=(-?[\d.]+)", str(status)).group(1)), report


@pytest.fixture
def require_spamassassin():
    if SPAMASSASSIN is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but spamassassin is missing "
                        "(apt-get install spamassassin)")
        pytest.skip("spamassassin is not installed (apt-get install spamassassin)")


def test_rendered_campaign_scores_below_one(require_spamassassin, worker, smtp_server):
    db.session.add(Theme(name="Acme", organization="Acme Ltd.", primary_color="#0b6e4f",
                         contact_details="Hlavná 1, 811 01 Bratislava, +421 2 1234 5678",
                         legal_notice="You get this because you subscribed at acme.example."))
    db.session.commit()
    theme_id = db.session.scalar(select(Theme.id))
    send("jana@example.com", "peter@example.com", blocks=RICH, worker=worker,
         subject="Spring news from Acme", theme_id=theme_id)
    assert len(smtp_server.messages) == 2
    for message in smtp_server.messages:
        score, report = spam_score(message.data)
        assert score < 1.0, report


def test_links_and_images_survive_sanitizing_and_inlining(worker, smtp_server, app):
    send("jana@example.com", blocks=RICH, worker=worker)
    html = received(smtp_server, "jana@example.com").get_body(("html",)).get_content()
    base = app.config["BASE_URL"]
    hrefs = re.findall(r'<a [^>]*href="([^"]+)"', html)
    assert len(hrefs) >= 5 and all(h.startswith(base + "/") for h in hrefs)
    assert sum("/c/" in h for h in hrefs) == 3  # blog, image link and button: tracked
    assert any("/u/" in h for h in hrefs) and any("/m/" in h for h in hrefs)
    images = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert images == [base + "/media/spring-photo"]
    assert re.search(r'<img [^>]*style="[^"]*max-width: 560px', html)  # inlined
    assert "<style>" in html and "max-width: 620px" in html  # media query kept
    button = re.search(r'<a class="nl-button-link"[^>]*style="([^"]*)"', html).group(1)
    assert "color: #ffffff" in button  # readable on the button, not the link colour
