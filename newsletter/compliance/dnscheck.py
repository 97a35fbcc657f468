"""The sending domain's DNS (seed 003 own domain, seed 004): the DKIM key published at
``<selector>._domainkey.<domain>`` and equal to ours, SPF present and covering the host our
mail leaves from, DMARC present and aligned with the From domain. Lookups go through
dnspython with the configured resolver (DNS_NAMESERVERS, DNS_TIMEOUT)."""

import functools
import ipaddress
import re

import dns.exception
import dns.nameserver
import dns.resolver
import tldextract
from flask import current_app

from newsletter.models import SenderIdentity
from newsletter.sending.dkim import dns_record
from newsletter.sending.messages import domain_of
from newsletter.texts import N_, stored

from .items import BLOCKING, OK, WARNING, Item

SPF_MAX_LOOKUPS = 10  # RFC 7208 4.6.4


class LookupFailed(Exception):
    """The resolver did not answer (timeout, no server): nothing can be said."""


def resolver() -> dns.resolver.Resolver:
    servers = current_app.config["DNS_NAMESERVERS"]
    r = dns.resolver.Resolver(configure=not servers)
    if servers:
        r.nameservers = [_nameserver(s) for s in servers]
    r.lifetime = r.timeout = float(current_app.config["DNS_TIMEOUT"])
    return r


def _nameserver(server: str) -> dns.nameserver.Do53Nameserver:
    host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
    return dns.nameserver.Do53Nameserver(host or server, int(port) if port else 53)


def lookup(r: dns.resolver.Resolver, name: str, rdtype: str) -> list[str]:
    """The records' text (TXT strings joined); [] when the name or type does not exist."""
    try:
        answer = r.resolve(name, rdtype, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except (dns.exception.Timeout, dns.resolver.NoNameservers,
            dns.resolver.NoResolverConfiguration) as exc:
        raise LookupFailed(f"{name} {rdtype}: {exc.__class__.__name__}") from None
    if rdtype == "TXT":
        return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
    if rdtype == "MX":
        return [record.exchange.to_text().rstrip(".") for record in answer]
    return [record.to_text() for record in answer]


def _tags(record: str) -> dict[str, str]:
    return {k.strip().lower(): v.strip() for k, _, v in
            (part.partition("=") for part in record.split(";")) if k.strip()}


def dkim_item(r, sender: SenderIdentity) -> Item:
    if not sender.dkim_private_key:
        return Item("dkim", WARNING, stored(N_("No DKIM key: messages go out unsigned. Generate "
                                               "one on the sender page and publish it.")))
    name = f"{sender.dkim_selector}._domainkey.{sender.dkim_domain}"
    ours = _tags(dns_record(sender.dkim_private_key))["p"]
    published = [_tags(txt) for txt in lookup(r, name, "TXT")]
    keys = [re.sub(r"\s+", "", tags.get("p", "")) for tags in published]
    if ours in keys:
        return Item("dkim", OK, stored(N_("DKIM key published at %(name)s and equal to ours."),
                                       name=name))
    if not keys:
        return Item("dkim", BLOCKING, stored(N_("The DKIM key is not in DNS yet: publish the "
                                                "TXT record shown on the sender page at "
                                                "%(name)s."), name=name))
    return Item("dkim", BLOCKING, stored(N_("The DKIM key published at %(name)s is not ours: "
                                            "receivers would reject the signature. Publish the "
                                            "record shown on the sender page."), name=name))


def sending_ips(r) -> list:
    ips = []
    for host in current_app.config["SPF_SENDING_HOSTS"] or []:
        try:
            ips.append(ipaddress.ip_address(host))
        except ValueError:
            ips.extend(ipaddress.ip_address(a) for t in ("A", "AAAA")
                       for a in lookup(r, host, t))
    return ips


class _Spf:
    """Whether an SPF policy passes any of our addresses (or includes our SPF domain)."""

    def __init__(self, r, ips: list, include: str | None):
        self.r, self.ips, self.include, self.lookups = r, ips, include, 0

    def _count(self) -> None:
        self.lookups += 1
        if self.lookups > SPF_MAX_LOOKUPS:
            raise LookupFailed("more than 10 SPF lookups")

    def record(self, domain: str) -> str | None:
        found = [t for t in lookup(self.r, domain, "TXT") if t.lower().startswith("v=spf1")]
        return found[0] if len(found) == 1 else None

    def covers(self, domain: str) -> bool:
        """Evaluated as receivers do: the first mechanism that matches decides (a pass
        only with the + qualifier); redirect= applies when none matched."""
        record = self.record(domain)
        redirect = None
        for term in (record or "").split()[1:]:
            qualifier = term[0] if term[0] in "+-~?" else "+"
            term = term.lstrip("+-~?").lower()
            if term.startswith("redirect="):
                redirect = term.partition("=")[2]
            elif term == "all" or self._term(term, domain):
                return qualifier == "+"
        if redirect:
            self._count()
            return self.covers(redirect)
        return False

    def _term(self, term: str, domain: str) -> bool:
        name, _, value = term.partition(":")
        if name in ("ip4", "ip6"):
            network = ipaddress.ip_network(value, strict=False)
            return any(ip.version == network.version and ip in network for ip in self.ips)
        if name in ("a", "mx", "include"):
            self._count()
            target = value.split("/")[0] or domain
            if name == "include":
                return target == self.include or self.covers(target)
            hosts = lookup(self.r, target, "MX") if name == "mx" else [target]
            addresses = {a for h in hosts for t in ("A", "AAAA") for a in lookup(self.r, h, t)}
            return any(str(ip) in addresses for ip in self.ips)
        return False


def spf_item(r, sender: SenderIdentity) -> Item:
    domain = domain_of(sender.from_email)
    spf = _Spf(r, sending_ips(r), current_app.config["SPF_INCLUDE"])
    if spf.record(domain) is None:
        return Item("spf", WARNING, stored(N_("%(domain)s publishes no SPF record (or more "
                                              "than one)."), domain=domain))
    if not spf.ips and not spf.include:
        return Item("spf", WARNING, stored(N_("SPF is published, but SPF_SENDING_HOSTS is not "
                                              "set, so it cannot be checked against our sending "
                                              "host.")))
    if spf.covers(domain):
        return Item("spf", OK, stored(N_("SPF of %(domain)s covers our sending host."),
                                      domain=domain))
    return Item("spf", WARNING, stored(N_("SPF of %(domain)s does not cover our sending host: "
                                          "add %(hint)s to it."), domain=domain,
                                       hint=_spf_hint()))


def _spf_hint() -> str:
    include = current_app.config["SPF_INCLUDE"]
    if include:
        return f"include:{include}"
    return " ".join(f"ip{ipaddress.ip_address(h).version}:{h}" if _is_ip(h) else f"a:{h}"
                    for h in current_app.config["SPF_SENDING_HOSTS"])


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@functools.cache
def _suffixes() -> tldextract.TLDExtract:
    """The public suffix list snapshot bundled with tldextract: no URLs and no cache
    directory, so nothing is fetched or written at run time."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                 fallback_to_snapshot=True, include_psl_private_domains=True)


def organizational(domain: str) -> str:
    """The organizational domain of RFC 7489 3.2: the public suffix (from the public suffix
    list, its private part included) plus one label; news.shop.co.uk -> shop.co.uk. A name
    that is itself a public suffix (or not under one) is its own organizational domain."""
    domain = domain.strip().rstrip(".").lower()
    parts = _suffixes()(domain)
    if not parts.domain or not parts.suffix:
        return domain
    return f"{parts.domain}.{parts.suffix}"


def aligned(domain: str, from_domain: str, strict: bool) -> bool:
    if strict:
        return domain == from_domain
    return organizational(domain) == organizational(from_domain)


def dmarc_record(r, from_domain: str) -> tuple[str, dict[str, str]] | None:
    """The DMARC policy receivers apply to mail from ``from_domain`` (RFC 7489 6.6.3): the
    record at ``_dmarc.<from domain>``, else the one at the organizational domain, whose
    ``sp=`` (default ``p=``) governs its subdomains. (where found, tags), or None."""
    for name in dict.fromkeys((from_domain, organizational(from_domain))):
        records = [t for t in lookup(r, f"_dmarc.{name}", "TXT")
                   if t.lower().startswith("v=dmarc1")]
        if len(records) == 1:
            tags = _tags(records[0])
            if name != from_domain:
                tags["p"] = tags.get("sp", tags.get("p", "?"))
            return name, tags
    return None


def dmarc_item(r, sender: SenderIdentity) -> Item:
    from_domain = domain_of(sender.from_email).lower()
    found = dmarc_record(r, from_domain)
    if found is None:
        return Item("dmarc", WARNING, stored(N_(
            "No DMARC record at _dmarc.%(domain)s or _dmarc.%(org)s: publish one (e.g. "
            "v=DMARC1; p=none; rua=mailto:...)."), domain=from_domain,
            org=organizational(from_domain)))
    where, tags = found
    bounce = (current_app.config["BOUNCE_DOMAIN"] or from_domain).lower()
    dkim_ok = bool(sender.dkim_private_key) and aligned(
        (sender.dkim_domain or "").lower(), from_domain, tags.get("adkim", "r").lower() == "s")
    spf_ok = aligned(bounce, from_domain, tags.get("aspf", "r").lower() == "s")
    values = {"policy": tags.get("p", "?"), "where": where, "domain": from_domain}
    own = where == from_domain  # else the organizational domain's record applies
    if dkim_ok or spf_ok:
        how = N_("DKIM and SPF") if dkim_ok and spf_ok else ("DKIM" if dkim_ok else "SPF")
        return Item("dmarc", OK, stored(
            N_("DMARC (p=%(policy)s) is aligned with %(domain)s through %(how)s.") if own
            else N_("DMARC (p=%(policy)s of %(where)s) is aligned with %(domain)s through "
                    "%(how)s."), how=how, **values))
    return Item("dmarc", WARNING, stored(
        N_("DMARC (p=%(policy)s) is published but neither the DKIM domain (%(dkim)s) nor the "
           "return path (%(bounce)s) is aligned with %(domain)s (organizational domain "
           "%(org)s).") if own else
        N_("DMARC (p=%(policy)s of %(where)s) is published but neither the DKIM domain "
           "(%(dkim)s) nor the return path (%(bounce)s) is aligned with %(domain)s "
           "(organizational domain %(org)s)."),
        dkim=sender.dkim_domain or N_("none"), bounce=bounce,
        org=organizational(from_domain), **values))
