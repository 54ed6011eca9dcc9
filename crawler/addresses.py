"""Which IP addresses the crawler may connect to, in every spelling an address can take.

Pure functions, without Scrapy, so that the configuration can be checked before a crawl starts;
crawler.netpolicy applies them to requests and connections.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: Any) -> list[IPNetwork] | None:
    """The configured opt-in: None for "any address", else the networks allowed besides public ones.

    Raises ValueError naming a bad entry.
    """
    if value is True or value == "all":
        return None
    if value is False or value is None:
        return []
    if isinstance(value, str):
        value = [value]
    networks = []
    for entry in value:
        try:
            networks.append(ipaddress.ip_network(str(entry), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not a network (write 10.0.0.0/8 or fd00::/8)") from None
    return networks


def address_refusal(address: str, allowed: list[IPNetwork] | None) -> str | None:
    """Why a connection to ``address`` (an IP address) is refused, or None when it may be made."""
    if allowed is None:
        return None
    ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 reaches 127.0.0.1
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    for kind, matches in (
        ("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast), ("private", ip.is_private), ("reserved", ip.is_reserved),
    ):
        if matches:
            return f"a {kind} address"
    if not ip.is_global:
        return "not a public address"
    return None


def literal_addresses(host: str) -> list[str]:
    """The addresses a host written as an address literal can reach; [] for a host name.

    The C library reads ``0177.0.0.1`` as octal and ``2130706433`` as one 32-bit number, while
    Twisted and Python may read the same text as decimal; every reading is returned.
    """
    host = host.strip("[]")
    found: list[str] = []
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        found.append(str(mapped or ip))  # ::ffff:127.0.0.1 is named as what it reaches
    except ValueError:
        pass
    if host and all(ch in "0123456789abcdefxABCDEFX." for ch in host):
        try:
            found.append(socket.inet_ntoa(socket.inet_aton(host)))
        except OSError:
            pass
        parts = host.split(".")
        if len(parts) == 4 and all(p.isdigit() for p in parts):
            # Twisted's isIPAddress reads "0177" as 177: what it would connect to.
            found.append(".".join(str(int(p) % 256) for p in parts))
    return list(dict.fromkeys(found))


def networks_setting(value: bool | list[str]) -> str | list[str]:
    """``crawler.allow_private_addresses`` as the Scrapy setting CLUSTERWATCH_ALLOW_NETWORKS."""
    if value is True:
        return "all"
    return [] if value is False else [str(v) for v in value]
