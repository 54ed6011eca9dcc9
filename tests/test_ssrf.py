"""Server-side request forgery: links a third party wrote (feed entries, redirects, meta refreshes,
listing links) cannot make the crawler fetch from another host, port or address.

An "internal" HTTP service is served on loopback beside the source's site; whatever the spelling
of the link, the service must see no request, and every attempt must be named in the crawl run.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.addresses import address_refusal, literal_addresses, parse_networks
from tests.conftest import write_config

SECRET = "GEHEIM " * 200


class Internal:
    """A service the crawler must never reach; it records every request it gets."""

    def __init__(self, host: str, port: int = 0):
        self.hits: list[str] = []
        internal = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                internal.hits.append(self.path)
                body = f"<html><body><main><h1>Admin</h1><p>{SECRET}</p></main></body></html>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def internal() -> Iterator[Internal]:
    service = Internal("127.0.0.1")
    yield service
    service.stop()


def rss(links: list[str]) -> str:
    items = "".join(
        f"<item><title>Meldung {n}</title><link>{link.replace('&', '&amp;')}</link>"
        f"<description>Kurz {n}.</description></item>"
        for n, link in enumerate(links)
    )
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Agg</title>'
            f"<link>{{{{BASE}}}}/</link><description>x</description>{items}</channel></rss>")


def robots(site) -> None:
    (site.root / "robots.txt").write_text("User-agent: *\nAllow: /\n")


def test_links_to_another_port_never_reach_it(tmp_path, site_copy, cli, internal) -> None:
    """Loopback allowed (as in every test), so only the host and port checks stand in the way."""
    site = site_copy()
    robots(site)
    i, f = internal.port, site.port
    links = [
        f"http://127.0.0.1:{i}\\@127.0.0.1:{f}/a.html",  # backslash: the downloader's host is 127.0.0.1:i
        f"http://127.0.0.1:{f}@127.0.0.1:{i}/admin.html",  # userinfo
        f"http://127.0.0.1:{i}/admin.html",  # another port
        f"http://[::ffff:127.0.0.1]:{i}/admin.html",  # IPv6 spelling
        f"http://2130706433:{i}/admin.html",  # decimal
        f"http://0177.0.0.1:{i}/admin.html",  # octal
        f"{site.url}/redirect.html",
        f"{site.url}/refresh.html",
    ]
    (site.root / "feed.xml").write_text(rss(links), encoding="utf-8")
    (site.root / "redirect.html").write_text("moved")
    (site.root / "redirect.html.headers").write_text(f"Status: 302\nLocation: http://127.0.0.1:{i}/admin.html\n")
    (site.root / "refresh.html").write_text(
        f'<html><head><meta http-equiv="refresh" content="0; url=http://127.0.0.1:{i}/admin.html"></head></html>')
    listing = "".join(f'<a href="{u}">x</a>' for u in (
        f"http://127.0.0.1:{i}/2024/20240101-admin.html", f"http://127.0.0.1:{i}\\@127.0.0.1:{f}/2024/20240102-a.html"))
    (site.root / "listing.html").write_text(f"<html><body><main>{listing}</main></body></html>")
    config = write_config(tmp_path / "cw.toml", [
        {"name": "agg", "kind": "feed", "url": site.url + "/feed.xml"},
        {"name": "gsb", "kind": "gsb", "url": site.url + "/listing.html"},
    ])
    result = cli("crawl", "--json", config=config)
    assert "Traceback" not in result.err
    assert internal.hits == []
    runs = {r["source"]: r for r in result.json()}
    agg = "\n".join(runs["agg"]["error_messages"])
    # Backslash, userinfo, other port; the other spellings name another host and are not fetched.
    assert agg.count(f": refused: port {i} is neither the source's own ({f}) nor the default") == 3, agg
    assert f"{site.url}/redirect.html: redirected off the allowed domains" in agg
    assert f"{site.url}/refresh.html: redirected off the allowed domains" in agg
    assert runs["agg"]["status"] == "partial"
    gsb = "\n".join(runs["gsb"]["error_messages"])
    assert f"http://127.0.0.1:{i}/2024/20240101-admin.html: refused: port {i}" in gsb, gsb
    assert f"http://127.0.0.1:{i}/@127.0.0.1:{f}/2024/20240102-a.html: refused: port {i}" in gsb, gsb
    assert "GEHEIM" not in (tmp_path / "data.db").read_bytes().decode("latin-1")


def test_private_addresses_are_refused_in_every_spelling(tmp_path, site_copy, cli) -> None:
    """Host and port allowed: only the address policy stands between the link and the service."""
    site = site_copy()
    robots(site)
    try:
        service = Internal("127.0.0.2", site.port)  # same port, another loopback address
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    try:
        f = site.port
        spellings = ["127.0.0.2", "2130706434", "0177.0.0.2", "0x7f000002", "[::ffff:127.0.0.2]"]
        (site.root / "feed.xml").write_text(rss([f"http://{h}:{f}/admin.html" for h in spellings]), encoding="utf-8")
        source = {"name": "agg", "kind": "feed", "url": site.url + "/feed.xml",
                  "allowed_domains": ["127.0.0.1", *(h.strip("[]") for h in spellings)]}
        config = write_config(tmp_path / "cw.toml", [source],
                              crawler={"allow_private_addresses": ["127.0.0.1/32"]})
        result = cli("crawl", "--json", config=config)
        assert "Traceback" not in result.err
        assert service.hits == []
        run = result.json()[0]
        messages = "\n".join(run["error_messages"])
        assert messages.count("is a loopback address (127.0.0.2); set [crawler] allow_private_addresses") == 5, messages
        assert run["new"] == 5  # the entries' own text is kept
    finally:
        service.stop()


def test_a_name_resolving_to_loopback_is_refused_when_connecting(tmp_path, site_copy, cli) -> None:
    site = site_copy()
    robots(site)
    (site.root / "feed.xml").write_text(rss([]), encoding="utf-8")
    url = f"http://localhost:{site.port}/feed.xml"
    config = write_config(tmp_path / "cw.toml", [{"name": "local", "kind": "feed", "url": url}],
                          crawler={"allow_private_addresses": False})
    result = cli("crawl", "--json", config=config)
    assert "Traceback" not in result.err
    run = result.json()[0]
    assert run["status"] == "failed"
    assert f"{url}: refused: localhost resolves to 127.0.0.1, a loopback address" in run["error_messages"][0] or \
        "robots.txt" in run["error_messages"][0] and "localhost resolves to 127.0.0.1" in run["error_messages"][0]
    assert site.requests == []

    opted_in = write_config(tmp_path / "cw.toml", [{"name": "local", "kind": "feed", "url": url}])
    assert cli("crawl", "--json", config=opted_in).json()[0]["status"] == "ok"
    assert "/feed.xml" in site.paths()


@pytest.mark.parametrize("host", [
    "127.0.0.1", "0.0.0.0", "169.254.169.254", "10.0.0.1", "192.168.1.1", "172.16.0.1", "100.64.0.1",
    "224.0.0.1", "240.0.0.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1",
    "::ffff:169.254.169.254", "2130706433", "0177.0.0.1", "0x7f.1", "017700000001", "127.1",
])
def test_every_spelling_of_a_private_address_is_refused(host: str) -> None:
    addresses = literal_addresses(host)
    assert addresses, host
    assert any(address_refusal(a, []) for a in addresses), (host, addresses)
    assert not any(address_refusal(a, None) for a in addresses)  # allow_private_addresses = true


def test_public_addresses_and_names_pass() -> None:
    assert literal_addresses("www.bmwe.de") == []
    assert address_refusal("93.184.216.34", []) is None
    assert address_refusal("2a00:1450:4001:80b::200e", []) is None
    assert address_refusal("10.1.2.3", parse_networks(["10.1.0.0/16"])) is None
    assert address_refusal("10.2.2.3", parse_networks(["10.1.0.0/16"])) == "a private address"
    with pytest.raises(ValueError, match="'10.1.0.0/33' is not a network"):
        parse_networks(["10.1.0.0/33"])


def test_socket_agrees_that_decimal_and_octal_are_loopback() -> None:
    # What the refusals are about: the C library really connects these spellings to 127.0.0.1.
    assert socket.inet_ntoa(socket.inet_aton("2130706433")) == "127.0.0.1"
    assert socket.inet_ntoa(socket.inet_aton("0177.0.0.1")) == "127.0.0.1"
