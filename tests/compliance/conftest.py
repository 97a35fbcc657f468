"""Fixtures of the sending-domain checks: the local DNS and web servers and an app whose
resolver and web checks point at them."""

import pytest

from newsletter.extensions import db
from newsletter.sending import senders
from newsletter.sending.dkim import dns_record

from .servers import DNS, Web

SENDING_IP = "192.0.2.10"


@pytest.fixture
def dns_server():
    server = DNS()
    yield server
    server.stop()


@pytest.fixture
def web():
    server = Web()
    yield server
    server.stop()


@pytest.fixture
def domain_app(app_config, dns_server, web, request):
    """The app with every domain check on, against the local servers; the private-address
    rule is relaxed (only here) because the local web server is on 127.0.0.1."""
    app_config.update(SENDER_CHECKS=True, DNS_NAMESERVERS=[f"127.0.0.1:{dns_server.port}"],
                      DNS_TIMEOUT=2.0, SPF_SENDING_HOSTS=[SENDING_IP],
                      PLATFORM_BRAND="newsly", WEB_CHECK_ALLOW_PRIVATE=True)
    return request.getfixturevalue("app")


def good_domain(dns_server, web, domain: str = "shop.example.net"):
    """A domain whose DNS and website pass every check, and its sender (with a DKIM key)."""
    sender = senders.save_sender(
        db.session, None, name="Shop", from_name="Shop", from_email=f"news@{domain}",
        reply_to=None, rate_limit=3000, rate_period="hour", dkim_selector="nl1",
        website_url=f"http://www.{domain}:{web.port}/")
    senders.generate_dkim_key(db.session, sender.id)
    db.session.commit()
    zone = dns_server.zone
    zone.set(f"nl1._domainkey.{domain}", "TXT", dns_record(sender.dkim_private_key))
    zone.set(domain, "TXT", "v=spf1 mx ip4:192.0.2.0/28 -all")
    zone.set(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=quarantine; rua=mailto:d@shop.example.net")
    zone.set(f"www.{domain}", "A", "127.0.0.1")
    web.pages["/"] = (200, '<html><body><h1>Shop</h1><p>Call +421 2 1234 5678</p>'
                           '<a href="/privacy">Ochrana osobných údajov</a></body></html>', {})
    web.pages["/privacy"] = (200, "<h1>Zásady ochrany osobných údajov</h1>"
                                  "<p>Spracúvame osobné údaje...</p>", {})
    return sender
