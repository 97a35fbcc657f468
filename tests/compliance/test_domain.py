"""The sending-domain checks (seed 004, 3.1): DKIM, SPF, DMARC through a real local DNS
server, the website through a real local HTTP server, the brand word, the cache and the
"check again" button."""

import socket

import pytest

from newsletter.compliance import dnscheck, domain, webcheck
from newsletter.compliance.items import BLOCKING, OK, WARNING
from newsletter.extensions import db
from newsletter.sending import senders
from newsletter.sending.dkim import dns_record, generate_private_key

from .conftest import good_domain


def results(sender, force=True) -> dict[str, tuple[str, str]]:
    found = domain.check_sender(db.session, sender.id, force=force)
    db.session.commit()
    return {i.key: (i.level, i.message) for i in found.items}


def test_a_good_domain_passes_every_check(domain_app, dns_server, web):
    checks = results(good_domain(dns_server, web))
    assert {k: level for k, (level, _) in checks.items()} == {
        "brand": OK, "dkim": OK, "spf": OK, "dmarc": OK, "website": OK, "contact": OK,
        "privacy": OK}
    assert "/privacy" in checks["privacy"][1]
    assert "through DKIM and SPF" in checks["dmarc"][1]


def test_dkim_missing_or_different_blocks(domain_app, dns_server, web):
    sender = good_domain(dns_server, web)
    del dns_server.zone.records[("nl1._domainkey.shop.example.net", "TXT")]
    level, message = results(sender)["dkim"]
    assert level == BLOCKING and "not in DNS yet" in message
    dns_server.zone.set("nl1._domainkey.shop.example.net", "TXT",
                        dns_record(generate_private_key()))
    level, message = results(sender)["dkim"]
    assert level == BLOCKING and "is not ours" in message


def test_spf_must_cover_the_sending_host(domain_app, app, dns_server, web):
    sender = good_domain(dns_server, web)
    zone = dns_server.zone
    zone.set("shop.example.net", "TXT", "v=spf1 ip4:198.51.100.0/24 ~all")
    level, message = results(sender)["spf"]
    assert level == WARNING and "ip4:192.0.2.10" in message
    zone.set("shop.example.net", "TXT",
             "v=spf1 include:_spf.shop.example.net -all")  # through an include
    zone.set("_spf.shop.example.net", "TXT", "v=spf1 a:out.shop.example.net -all")
    zone.set("out.shop.example.net", "A", "192.0.2.10")
    assert results(sender)["spf"][0] == OK
    zone.set("shop.example.net", "TXT",
             "v=spf1 -ip4:192.0.2.10 redirect=_spf.shop.example.net")
    assert results(sender)["spf"][0] == WARNING  # a failing qualifier does not cover
    zone.set("shop.example.net", "TXT", "v=spf1 redirect=_spf.shop.example.net")
    assert results(sender)["spf"][0] == OK
    app.config["SPF_INCLUDE"] = "_spf.newsly.example"
    zone.set("shop.example.net", "TXT", "v=spf1 include:_spf.newsly.example -all")
    assert results(sender)["spf"][0] == OK
    del zone.records[("shop.example.net", "TXT")]
    assert "no SPF record" in results(sender)["spf"][1]


def test_dmarc_present_and_aligned(domain_app, app, dns_server, web):
    sender = good_domain(dns_server, web)
    del dns_server.zone.records[("_dmarc.shop.example.net", "TXT")]
    level, message = results(sender)["dmarc"]
    assert level == WARNING and "No DMARC record at _dmarc.shop.example.net" in message
    dns_server.zone.set("_dmarc.shop.example.net", "TXT", "v=DMARC1; p=reject; adkim=s; aspf=s")
    sender.dkim_domain = "mail.other.example.org"
    app.config["BOUNCE_DOMAIN"] = "bounces.other.example.org"
    db.session.commit()
    level, message = results(sender)["dmarc"]
    assert level == WARNING and "neither" in message
    sender.dkim_domain = "shop.example.net"
    db.session.commit()
    assert results(sender)["dmarc"] == (OK, "DMARC (p=reject) is aligned with shop.example.net "
                                            "through DKIM.")


def test_dmarc_alignment_uses_the_organizational_domain(domain_app, app, dns_server, web):
    """The organizational domain comes from the public suffix list: mail.shop.co.uk and
    bounces.shop.co.uk share shop.co.uk, while a.co.uk and b.co.uk share nothing (the last
    two labels would have said they do)."""
    sender = good_domain(dns_server, web)
    zone = dns_server.zone
    sender.from_email = "news@mail.shop.co.uk"
    sender.dkim_domain = "shop.co.uk"
    app.config["BOUNCE_DOMAIN"] = "bounces.shop.co.uk"
    db.session.commit()
    zone.set("_dmarc.shop.co.uk", "TXT", "v=DMARC1; p=reject; sp=quarantine")
    assert results(sender)["dmarc"] == (
        OK, "DMARC (p=quarantine of shop.co.uk) is aligned with mail.shop.co.uk through DKIM "
            "and SPF.")
    zone.set("_dmarc.shop.co.uk", "TXT", "v=DMARC1; p=reject; adkim=s; aspf=s")
    level, message = results(sender)["dmarc"]  # strict: only the exact From domain counts
    assert level == WARNING and "organizational domain shop.co.uk" in message

    sender.from_email, sender.dkim_domain = "news@a.co.uk", "b.co.uk"
    app.config["BOUNCE_DOMAIN"] = "bounces.b.co.uk"
    db.session.commit()
    zone.set("_dmarc.a.co.uk", "TXT", "v=DMARC1; p=none")
    level, message = results(sender)["dmarc"]
    assert level == WARNING and "(b.co.uk)" in message and "(bounces.b.co.uk)" in message

    sender.from_email, sender.dkim_domain = "news@eu.news.shop.example.com", "example.com"
    app.config["BOUNCE_DOMAIN"] = None
    db.session.commit()  # no record at the From domain: the organizational domain's applies
    zone.set("_dmarc.example.com", "TXT", "v=DMARC1; p=none")
    assert results(sender)["dmarc"] == (
        OK, "DMARC (p=none of example.com) is aligned with eu.news.shop.example.com through "
            "DKIM and SPF.")
    del zone.records[("_dmarc.example.com", "TXT")]
    level, message = results(sender)["dmarc"]
    assert level == WARNING and "_dmarc.example.com" in message


def test_organizational_domains_from_the_bundled_list(monkeypatch):
    """The bundled snapshot is read with no network at all (a connection would raise)."""
    def no_network(*args):
        raise AssertionError(f"network used: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    dnscheck._suffixes.cache_clear()
    organizational = dnscheck.organizational
    assert organizational("news.shop.co.uk") == "shop.co.uk"
    assert organizational("Mail.Shop.Example.COM.") == "example.com"
    assert organizational("a.b.shop.com.au") == "shop.com.au"
    assert organizational("me.github.io") == "me.github.io"  # a private suffix
    assert organizational("co.uk") == "co.uk"


def test_website_contact_and_privacy(domain_app, dns_server, web):
    sender = good_domain(dns_server, web)
    web.pages["/"] = (200, "<h1>Shop</h1><p>Nothing else here.</p>", {})
    checks = results(sender)
    assert checks["website"][0] == OK
    assert checks["contact"][0] == WARNING and checks["privacy"][0] == WARNING
    web.pages["/"] = (302, "", {"Location": "/home"})  # redirects are followed
    web.pages["/home"] = (200, '<a href="/kontakt">Kontakt</a>', {})
    web.pages["/kontakt"] = (200, "<p>info@shop.example.net</p>", {})
    sender.privacy_url = f"http://www.shop.example.net:{web.port}/privacy"
    db.session.commit()
    checks = results(sender)
    assert (checks["contact"][0], checks["privacy"][0]) == (OK, OK)
    web.pages["/home"] = (500, "broken", {})
    level, message = results(sender)["website"]
    assert level == BLOCKING and "answers 500" in message
    del dns_server.zone.records[("www.shop.example.net", "A")]
    level, message = results(sender)["website"]
    assert level == BLOCKING and "has no address in DNS" in message


def test_web_fetches_are_limited(domain_app, app, dns_server, web):
    good_domain(dns_server, web)
    url = f"http://www.shop.example.net:{web.port}/"
    app.config["WEB_CHECK_MAX_BYTES"] = 100
    web.pages["/"] = (200, "x" * 1000, {})
    with pytest.raises(webcheck.FetchError, match="larger than 100 bytes"):
        webcheck.fetch(url)
    web.pages["/"] = (302, "", {"Location": "/"})
    with pytest.raises(webcheck.FetchError, match="redirects too often"):
        webcheck.fetch(url)
    app.config["WEB_CHECK_ALLOW_PRIVATE"] = False  # the production rule
    with pytest.raises(webcheck.FetchError, match=r"private address \(127.0.0.1\)"):
        webcheck.fetch(url)
    with pytest.raises(webcheck.FetchError, match="private address"):
        webcheck.fetch("http://169.254.169.254/latest/meta-data/")


def test_brand_word_in_the_domain_blocks(domain_app, dns_server, web):
    sender = good_domain(dns_server, web, domain="newsly.shop.example.net")
    level, message = results(sender)["brand"]
    assert level == BLOCKING and "newsly.shop.example.net" in message


def test_results_are_cached_until_checked_again(domain_app, dns_server, web):
    sender = good_domain(dns_server, web)
    assert results(sender)["dkim"][0] == OK
    del dns_server.zone.records[("nl1._domainkey.shop.example.net", "TXT")]
    assert results(sender, force=False)["dkim"][0] == OK  # cached
    assert results(sender, force=True)["dkim"][0] == BLOCKING


def test_dns_that_does_not_answer_is_a_warning(domain_app, app, dns_server, web):
    sender = good_domain(dns_server, web)
    app.config.update(DNS_NAMESERVERS=["127.0.0.1:9"], DNS_TIMEOUT=0.5)
    checks = results(sender)
    assert checks["dkim"][0] == WARNING and "DNS did not answer" in checks["dkim"][1]
    assert checks["website"][0] == BLOCKING


def test_sender_page_check_again_and_signed_only_once_in_dns(
        domain_app, client, login, dns_server, web):
    login("owner")
    sender = good_domain(dns_server, web)
    del dns_server.zone.records[("nl1._domainkey.shop.example.net", "TXT")]
    page = client.get(f"/admin/senders/{sender.id}").text
    assert "Not checked yet" in page and "not confirmed in DNS" in page
    assert "are signed" not in page
    client.post(f"/admin/senders/{sender.id}/check")
    page = client.get(f"/admin/senders/{sender.id}").text
    assert "minutes ago" in page and "not in DNS yet" in page and "are signed" not in page
    dns_server.zone.set("nl1._domainkey.shop.example.net", "TXT",
                        dns_record(db.session.get(type(sender), sender.id).dkim_private_key))
    response = client.post(f"/admin/senders/{sender.id}/check", follow_redirects=True)
    assert "The sending domain was checked." in response.text
    assert "are signed, and the key was found in DNS" in response.text


def test_sender_web_pages_are_validated(domain_app, client, login):
    login("owner")
    response = client.post("/admin/senders/new", data={
        "name": "S", "from_name": "S", "from_email": "a@shop.example.net", "rate_limit": 100,
        "rate_period": "hour", "website_url": "javascript:alert(1)"})
    assert response.status_code == 422 and "A web address starting with https://" in \
        response.text
    assert 'value="javascript:alert(1)"' in response.text
    with pytest.raises(Exception, match="not a web address"):
        senders.save_sender(db.session, None, name="S", from_name="S",
                            from_email="a@shop.example.net", reply_to=None, rate_limit=1,
                            rate_period="hour", dkim_selector=None, privacy_url="ftp://x")


def test_a_blocking_domain_refuses_the_start(domain_app, client, login, dns_server, web):
    from tests.factories import draft, list_with_contacts

    login()
    sender = good_domain(dns_server, web)
    del dns_server.zone.records[("nl1._domainkey.shop.example.net", "TXT")]
    campaign = draft(list_with_contacts("a@example.com"), sender_id=sender.id)
    page = client.get(f"/admin/campaigns/{campaign.id}").text
    assert "The sending domain is checked when the campaign starts" in page
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert "Not started: The DKIM key is not in DNS yet" in response.text
    page = client.get(f"/admin/campaigns/{campaign.id}").text  # the result, cached
    assert 'data-check="dkim"' in page and "not in DNS yet" in page
    assert "Sending domain checked 0 minutes ago" in page


def test_the_domain_checks_read_in_the_editors_language(domain_app, client, login, dns_server,
                                                        web):
    """The checks are cached in English (a worker's start writes them too) and shown in the
    reader's language: the refusal, the cached result on the campaign and sender pages."""
    from tests.factories import draft, list_with_contacts

    login("owner")
    client.post("/admin/account", data={"time_zone": "UTC", "language": "de"})
    sender = good_domain(dns_server, web)
    del dns_server.zone.records[("nl1._domainkey.shop.example.net", "TXT")]
    campaign = draft(list_with_contacts("a@example.com"), sender_id=sender.id)
    response = client.post(f"/admin/campaigns/{campaign.id}/send", data={"confirmed": "1"},
                           follow_redirects=True)
    assert ("Nicht gestartet: Der DKIM-Schlüssel ist noch nicht im DNS: Veröffentlichen Sie "
            "den TXT-Eintrag von der Absenderseite unter nl1._domainkey.shop.example.net."
            ) in response.text
    assert "not in DNS yet" not in client.get(f"/admin/campaigns/{campaign.id}").text
    page = client.get(f"/admin/senders/{sender.id}").text
    assert "Die Website http://www.shop.example.net:" in page and "funktioniert." in page
    assert "Datenschutzerklärung gefunden unter" in page
    assert "über DKIM und SPF mit shop.example.net abgestimmt" in page
    assert "DKIM-Schlüssel ist noch nicht im DNS" in page
