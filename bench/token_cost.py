"""Token cost of one message as the sending engine builds it: the message token and the
click URLs of LINKS links, the web view and open pixel links, the unsubscribe link, the
profile link signature and the two short (VERP, mailto) tokens. CPU only: no database or
Redis. Prints one line:

    tokens per_message_us=<best of 5, microseconds> links=<n> signatures=<itsdangerous>
"""

import argparse
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from itsdangerous import Signer

from newsletter.app import create_app
from newsletter.audience import subscriptions
from newsletter.content import webview
from newsletter.platform import tokens
from newsletter.platform.tokens import Purpose
from newsletter.tracking import clicks

BASE, LINKS = "https://news.example", 15
LINK_IDS = list(range(100_001, 100_001 + LINKS))


def per_message(campaign_id: int = 4321, delivery_id: int = 1_234_567,
                contact_id: int = 98_765) -> None:
    token = clicks.message_token(campaign_id, delivery_id)
    clicks.click_urls(BASE, token, LINK_IDS)
    webview.webview_url(BASE, token)
    clicks.open_pixel_url(BASE, token)
    subscriptions.unsubscribe_url(contact_id, delivery_id=delivery_id)
    tokens.signer(Purpose.PROFILE).dumps({"c": contact_id})
    tokens.short_sign(Purpose.BOUNCE, delivery_id)
    tokens.short_sign(Purpose.UNSUBSCRIBE, delivery_id)


def signatures() -> int:
    made = []
    real = Signer.get_signature
    Signer.get_signature = lambda self, value: made.append(1) or real(self, value)
    try:
        per_message()
    finally:
        Signer.get_signature = real
    return len(made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=20_000, help="messages per repeat")
    number = parser.parse_args().number
    app = create_app({"SECRET_KEY": "bench-secret", "DATABASE_URL": "sqlite://",
                      "BASE_URL": BASE, "TESTING": True})
    with app.app_context():
        best = min(timeit.repeat(per_message, number=number, repeat=5)) / number
        print(f"tokens per_message_us={best * 1e6:.1f} links={LINKS} "
              f"signatures={signatures()}")


if __name__ == "__main__":
    main()
