"""Where the crawler may connect: one check for every request, one for every connection.

A source names its hosts; anything a third party writes (a feed entry's link, a redirect, a meta
refresh, a listing's links) must not steer the crawler anywhere else. Two checks make sure:

``crawler.middlewares.RequestPolicy`` (a downloader middleware) sees every request the downloader will send, the
spiders', the redirects', the meta refreshes' and robots.txt's alike, and reads the URL the way
the downloader does (``urlparse_cached`` of the already WHATWG-normalised ``request.url``), not
the way the spider read the link: ``http://127.0.0.1:9\\@allowed.host/`` is host 127.0.0.1 for
the downloader. The host must be an allowed domain of the source and the port the source's own or
the scheme's default.

``GuardedResolver`` refuses, when the connection is made, a name that resolves to a loopback,
private, link-local, multicast or reserved address. Checking the address the socket is about to
use, not an earlier lookup, is what keeps DNS rebinding out. Twisted does not ask the resolver
about address literals, so ``RequestPolicy`` checks those itself, in every spelling the C library
accepts (decimal ``2130706433``, octal ``0177.0.0.1``, hex, IPv4-mapped IPv6).

``[crawler] allow_private_addresses`` opts in: ``true`` for any address (the demo, tests on
loopback), or a list of networks (``["10.1.0.0/16"]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError
from w3lib.url import safe_url_string

from crawler.addresses import IPNetwork, address_refusal, literal_addresses, parse_networks

SETTING = "CLUSTERWATCH_ALLOW_NETWORKS"  # "all", or a list of networks ("127.0.0.0/8")
DEFAULT_PORTS = {"http": 80, "https": 443}

class RequestRefused(IgnoreRequest):
    """A request the policy does not send; the message says why, for the source's crawl run."""


class AddressRefused(DNSLookupError):
    """A name resolved to an address the policy does not allow.

    A DNSLookupError, because Twisted's endpoint swallows any other resolver error into a bare
    "no results"; the reason is kept in ``GuardedResolver.refusals`` for the run's message.
    """


def allowed_networks(settings: Any) -> list[IPNetwork] | None:
    return parse_networks(settings.get(SETTING) or [])


def host_allowed(host: str, domains: Sequence[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def source_ports(urls: Sequence[str]) -> set[tuple[str, int]]:
    ports = set()
    for url in urls:
        parts = urlsplit(safe_url_string(url))
        if parts.scheme in DEFAULT_PORTS:
            ports.add((parts.scheme, parts.port or DEFAULT_PORTS[parts.scheme]))
    return ports


def request_refusal(request: Request, domains: Sequence[str], ports: set[tuple[str, int]],
                    allowed: list[IPNetwork] | None) -> str | None:
    """Why ``request`` may not be sent, or None."""
    parts = urlparse_cached(request)
    host = (parts.hostname or "").lower()
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return f"scheme {scheme or '(none)'!r} is not fetched"
    if not host_allowed(host, domains):
        return f"host {host or '(none)'} is not among the source's allowed domains ({', '.join(domains)})"
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        return "the port is not a number"
    if port != DEFAULT_PORTS[scheme] and (scheme, port) not in ports:
        own = ", ".join(str(p) for _, p in sorted(ports)) or "none"
        return f"port {port} is neither the source's own ({own}) nor the default"
    for address in literal_addresses(host):
        why = address_refusal(address, allowed)
        if why:
            return f"{host} is {why} ({address}); set [crawler] allow_private_addresses to allow it"
    return None


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's resolver, refusing names that resolve to an address the policy does not allow."""

    allowed: list[IPNetwork] | None = []  # set by crawler.middlewares.RequestPolicy from the settings
    # name -> why it was refused, for the errback's message (one process crawls once).
    refusals: dict[str, str] = {}

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self._checked, name)

    def _checked(self, address: str, name: str) -> str:
        why = address_refusal(address, self.allowed)
        if why:
            reason = f"{name} resolves to {address}, {why}; set [crawler] allow_private_addresses to allow it"
            GuardedResolver.refusals[name.lower()] = reason
            raise AddressRefused(reason)
        return address


def resolver_refusal(url: str) -> str | None:
    """Why the resolver refused the host of ``url``, if it did."""
    return GuardedResolver.refusals.get(urlsplit(url).hostname or "")
