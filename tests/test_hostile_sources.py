"""Real crawls against hostile and broken sources served on loopback.

Each test crawls one hostile source beside a healthy feed, in one `clusterwatch crawl`, into a
dataset that already holds an earlier crawl. It proves that the crawl ends within bounded wall time
and memory (the child's peak RSS, from wait4), that the hostile source's run names the URL and
the fault in one line, that the healthy source stored its entries, and that the earlier rows are
still there in a dataset that passes PRAGMA integrity_check.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_config
from tests.mockserver import SiteServer

# Loopback is fast: a crawl that takes longer than this is hung, whatever the source did.
MAX_SECONDS = 45.0
MAX_RSS_MB = 400.0
# Small limits keep the suite fast; the hostile inputs are well beyond them.
CRAWLER = {"timeout": 2, "retries": 1, "max_response_bytes": 5 * 1024 * 1024}

_WORDS = (
    "Cluster Netzwerk Förderung Mitglied Programm Innovation Wasserstoff Logistik Mikroelektronik "
    "Medizintechnik Region Sachsen Bayern Bremen Kooperation Unternehmen Forschung Hochschule "
    "Transfer Strategie Workshop Delegation Plattform Exzellenz Qualität Label Management Beratung "
    "Digitalisierung Kreislauf Fachkräfte Start-up Industrie Partner Projekt Wettbewerb Zukunft "
    "Mobilität Energie Batterie Sensorik Robotik Textil Chemie Kunststoff Holz Agrar Ernährung"
).split()


def text(seed: int, words: int = 140) -> str:
    """A distinct paragraph per seed, so the store never takes two entries for near-duplicates."""
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) + ("." if rng.random() < 0.1 else "") for _ in range(words))


def rss(entries: list[tuple[str, str, str]], *, prolog: str = "") -> str:
    items = "".join(
        f"<item><title>{title}</title><link>{{{{BASE}}}}{path}</link><guid>{{{{BASE}}}}{path}</guid>"
        f"<pubDate>Thu, 11 Apr 2019 10:00:00 +0200</pubDate><description>{body}</description></item>"
        for title, path, body in entries
    )
    return (f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel>'
            f"<title>Presse</title><link>{{{{BASE}}}}/</link><description>Test</description>"
            f"{items}</channel></rss>")


def healthy_feed(site: SiteServer, first_seed: int) -> list[str]:
    titles = [f"Meldung {first_seed + n}" for n in range(3)]
    entries = [(t, f"/meldung-{first_seed + n}.html", text(first_seed + n)) for n, t in enumerate(titles)]
    (site.root / "feed.xml").write_text(rss(entries), encoding="utf-8")
    return titles


def healthy_source(site: SiteServer) -> dict[str, Any]:
    return {"name": "healthy", "kind": "feed", "url": site.url + "/feed.xml", "full_text": False}


@dataclass
class Crawl:
    code: int
    runs: dict[str, dict[str, Any]]
    err: str
    seconds: float
    peak_mb: float


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_crawl(tmp_path: Path, config: Path) -> Crawl:
    """`clusterwatch crawl --json` in a child process, with its wall time and peak RSS.

    The peak is the child's VmHWM (/proc/PID/status), polled while it runs: it belongs to the
    program the child exec'd. ru_maxrss from wait4 would also count the test process's own RSS
    at fork time, which grows over a long test session."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    env["CLUSTERWATCH_CONFIG"] = str(config)
    out_path, err_path = tmp_path / "crawl.out", tmp_path / "crawl.err"
    started = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "crawl", "--json"],
                                stdout=out, stderr=err, cwd=tmp_path, env=env)
        peak_kb = 0
        while True:
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > MAX_SECONDS * 2:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                pytest.fail(f"crawl still running after {MAX_SECONDS * 2:.0f}s: {err_path.read_text()[-2000:]}")
            time.sleep(0.02)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped; keep Popen from waiting
    stdout, stderr = out_path.read_text(), err_path.read_text()
    assert stdout, stderr[-3000:]
    runs = {r["source"]: r for r in json.loads(stdout)}
    crawl = Crawl(proc.returncode, runs, stderr, seconds, (peak_kb or usage.ru_maxrss) / 1024)
    _record(crawl)
    return crawl


def _record(crawl: Crawl) -> None:
    # Figures for docs/reliability.md: `pytest -s` prints them, FIGURES_FILE collects them.
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").replace(" (call)", "")
    line = f"{test}: {crawl.seconds:.1f} s, peak RSS {crawl.peak_mb:.0f} MB"
    print(line)
    if os.environ.get("FIGURES_FILE"):
        with open(os.environ["FIGURES_FILE"], "a", encoding="utf-8") as f:
            f.write(line + "\n")


# --- the dataset before the hostile crawl ---------------------------------------------------------

@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[Any, ...]]]:
    """A dataset holding one earlier, healthy crawl, made once and copied into each test."""
    base = tmp_path_factory.mktemp("seed")
    (base / "site").mkdir()
    server = SiteServer(base / "site").start()
    try:
        healthy_feed(server, 100)
        config = write_config(base / "cw.toml", [{**healthy_source(server), "name": "earlier"}],
                              crawler=CRAWLER)
        crawl = run_crawl(base, config)
    finally:
        server.stop()
    assert crawl.runs["earlier"]["new"] == 3, crawl.runs
    db = base / "data.db"
    return db, snapshot_rows(db)


def snapshot_rows(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT url, title, body, published, revision FROM announcements"
                            " WHERE source = 'earlier' ORDER BY url").fetchall()
    finally:
        conn.close()


@pytest.fixture
def env(tmp_path: Path, site_copy: Callable[..., SiteServer],
        seeded_db: tuple[Path, list[tuple[Any, ...]]]) -> Env:
    seed, rows = seeded_db
    source, target = sqlite3.connect(seed), sqlite3.connect(tmp_path / "data.db")
    try:
        source.backup(target)  # the backup API copies a WAL dataset consistently
    finally:
        source.close()
        target.close()
    good = site_copy()
    return Env(tmp_path, good, site_copy(), healthy_feed(good, 200), rows)


@dataclass
class Env:
    tmp: Path
    good: SiteServer
    bad: SiteServer
    good_titles: list[str]
    earlier_rows: list[tuple[Any, ...]]

    def crawl(self, hostile: dict[str, Any], **crawler: Any) -> Crawl:
        config = write_config(self.tmp / "cw.toml", [healthy_source(self.good), {"name": "hostile", **hostile}],
                              crawler={**CRAWLER, **crawler})
        return run_crawl(self.tmp, config)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(self.tmp / "data.db")
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def check(self, crawl: Crawl, *, status: str = "failed", max_rss_mb: float = MAX_RSS_MB) -> dict[str, Any]:
        """What every hostile crawl must show; returns the hostile source's run."""
        assert crawl.seconds < MAX_SECONDS, f"took {crawl.seconds:.1f}s"
        assert crawl.peak_mb < max_rss_mb, f"peak RSS {crawl.peak_mb:.0f} MB"
        assert "Traceback" not in crawl.err, crawl.err[-3000:]
        healthy = crawl.runs["healthy"]
        assert (healthy["status"], healthy["new"], healthy["errors"]) == ("ok", 3, 0), healthy
        stored = {t for (t,) in self.query("SELECT title FROM announcements WHERE source = 'healthy'")}
        assert stored == set(self.good_titles)
        assert self.query("PRAGMA integrity_check") == [("ok",)]
        assert snapshot_rows(self.tmp / "data.db") == self.earlier_rows
        hostile = crawl.runs["hostile"]
        print(f"  hostile: {hostile['status']}: {hostile['error_messages'][:2]}")
        assert hostile["status"] == status, hostile
        assert hostile["finished"], hostile
        assert crawl.code == (1 if status == "failed" else 0)
        return hostile

    def serve(self, path: str, body: bytes | str, headers: str = "") -> str:
        target = self.bad.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, str):
            body = body.encode("utf-8")
        target.write_bytes(body)
        if headers:
            (self.bad.root / (path + ".headers")).write_text(headers, encoding="utf-8")
        return f"{self.bad.url}/{path}"


def one_message(run: dict[str, Any], url: str, pattern: str) -> str:
    """The run's one error line that names the URL and matches the pattern."""
    errors = [m for m in run["error_messages"] if not m.startswith("warning:")]
    found = [m for m in errors if url in m and re.search(pattern, m)]
    assert found, run["error_messages"]
    assert all("\n" not in m for m in run["error_messages"])
    return found[0]


# --- the hostile sources --------------------------------------------------------------------------

def test_html_served_as_a_feed(env: Env) -> None:
    url = env.serve("feed.xml", "<!DOCTYPE html><html><body><h1>Willkommen</h1><p>Neu hier?</p></body></html>",
                    "Content-Type: text/html; charset=utf-8\n")
    run = env.check(env.crawl({"kind": "feed", "url": url}))
    one_message(run, url, r"not a feed \(text/html")


def test_an_empty_200_feed(env: Env) -> None:
    url = env.serve("feed.xml", b"")
    run = env.check(env.crawl({"kind": "feed", "url": url}))
    one_message(run, url, r"empty response")


def test_an_empty_200_listing(env: Env) -> None:
    url = env.serve("liste.html", b"")
    run = env.check(env.crawl({"kind": "gsb", "url": url}))
    one_message(run, url, r"listing yields no items")


def test_a_30_mb_page_is_refused_at_max_response_bytes(env: Env) -> None:
    paragraph = f"<p>{text(7)}</p>\n"
    page = "<html><body><main>" + paragraph * (30 * 1024 * 1024 // len(paragraph)) + "</main></body></html>"
    url = env.serve("riesig.html", page)
    run = env.check(env.crawl({"kind": "article", "url": url}, max_response_bytes=4 * 1024 * 1024))
    one_message(run, url, r"larger than max_response_bytes \(4194304 bytes\)")
    assert env.query("SELECT count(*) FROM announcements WHERE source = 'hostile'") == [(0,)]


def test_a_page_under_max_response_bytes_is_read(env: Env) -> None:
    # The same limit lets an ordinary long page through: the refusal above is the limit's doing.
    page = "<html><body><main><h1>Lang</h1>" + "".join(f"<p>{text(n)}</p>" for n in range(300, 330)) + "</main></body></html>"
    url = env.serve("lang.html", page)
    run = env.check(env.crawl({"kind": "article", "url": url}, max_response_bytes=4 * 1024 * 1024), status="ok")
    assert run["new"] == 1


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """About 2 MB of gzip that inflates to 2 GiB of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip framing
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(2048)]
    parts.append(compressor.flush())
    return b"".join(parts)


def test_a_gzip_bomb(env: Env, gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 3 * 1024 * 1024
    url = env.serve("feed.xml", gzip_bomb, "Content-Encoding: gzip\n")
    run = env.check(env.crawl({"kind": "feed", "url": url}))
    one_message(run, url, r"larger than max_response_bytes .*decompress")


def test_a_gzipped_feed_is_read(env: Env) -> None:
    # Compression itself is fine: only inflating past the limit is refused.
    body = rss([("Gepackt", "/gepackt.html", text(400))]).replace("{{BASE}}", env.bad.url)
    url = env.serve("feed.xml", gzip.compress(body.encode()), "Content-Encoding: gzip\n")
    run = env.check(env.crawl({"kind": "feed", "url": url, "full_text": False}), status="ok")
    assert run["new"] == 1


LAUGHS = """<!DOCTYPE rss [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def all_stored_text(env: Env) -> str:
    rows = env.query("SELECT coalesce(title,'') || ' ' || body || ' ' || coalesce(author,'') FROM announcements")
    rows += env.query("SELECT body FROM revisions")
    return "\n".join(r[0] for r in rows)


def test_xml_entity_expansion_billion_laughs(env: Env) -> None:
    body = rss([("Lachen &lol9;", "/lachen.html", f"{text(500)} &lol9;")], prolog=LAUGHS)
    url = env.serve("feed.xml", body)
    run = env.check(env.crawl({"kind": "feed", "url": url, "full_text": False}), status="ok")
    # feedparser drops the DOCTYPE's entity declarations, so the strict parse fails on an undefined
    # entity and the lenient one keeps the reference as text: the entry is stored, unexpanded.
    assert run["new"] == 1
    assert any("malformed feed" in m and "undefined entity" in m for m in run["error_messages"]), run
    assert "lollol" not in all_stored_text(env)
    assert len(all_stored_text(env)) < 100_000


def test_an_external_entity_is_never_resolved(env: Env) -> None:
    secret = env.tmp / "secret.txt"
    secret.write_text("GEHEIM-4711 root:x:0:0", encoding="utf-8")
    prolog = (f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">'
              '<!ENTITY pw SYSTEM "file:///etc/passwd">]>')
    body = rss([("Extern &xxe;", "/extern.html", f"{text(501)} &xxe; &pw;")], prolog=prolog)
    url = env.serve("feed.xml", body)
    run = env.check(env.crawl({"kind": "feed", "url": url, "full_text": False}), status="ok")
    assert run["new"] == 1
    stored = all_stored_text(env)
    assert "GEHEIM-4711" not in stored and "root:x:0:0" not in stored


def test_a_redirect_loop(env: Env) -> None:
    url = env.serve("a.xml", "", "Status: 302\nLocation: {{BASE}}/b.xml\n")
    env.serve("b.xml", "", "Status: 302\nLocation: {{BASE}}/a.xml\n")
    run = env.check(env.crawl({"kind": "feed", "url": url}))
    one_message(run, env.bad.url, r"too many redirects")
    assert len(env.bad.paths()) <= 10


def test_a_redirect_off_the_allowed_domains(env: Env) -> None:
    # The same server under another name: any request that got through would show in its log.
    offsite = env.bad.url.replace("127.0.0.1", "localhost")
    url = env.serve("feed.xml", "", f"Status: 301\nLocation: {offsite}/elsewhere.xml\n")
    run = env.check(env.crawl({"kind": "feed", "url": url}))
    one_message(run, "localhost", r"redirect.* off the allowed domains|offsite")
    assert "/elsewhere.xml" not in env.bad.paths()


def test_500s_after_retries(env: Env) -> None:
    url = env.serve("feed.xml", "<h1>Internal Server Error</h1>", "Status: 500\n")
    run = env.check(env.crawl({"kind": "feed", "url": url}, retries=2))
    one_message(run, url, r"HTTP 500")
    assert env.bad.paths().count("/feed.xml") == 3  # the first try and two retries


def test_a_server_slower_than_the_timeout(env: Env) -> None:
    url = env.serve("feed.xml", rss([("Langsam", "/langsam.html", text(600))]), "Delay: 6\n")
    crawl = env.crawl({"kind": "feed", "url": url}, timeout=1.5, retries=1)
    run = env.check(crawl)
    one_message(run, url, r"timed out after 1.5 s")
    assert crawl.seconds < 15


def test_a_connection_dropped_mid_body(env: Env) -> None:
    body = rss([(f"Abbruch {n}", f"/abbruch-{n}.html", text(700 + n)) for n in range(5)])
    url = env.serve("feed.xml", body, "Drop-After: 1000\n")
    run = env.check(env.crawl({"kind": "feed", "url": url}))
    one_message(run, url, r"connection closed after part of the response")
    assert env.query("SELECT count(*) FROM announcements WHERE source = 'hostile'") == [(0,)]


def test_invalid_utf8_in_a_page(env: Env) -> None:
    page = ("<html><head><meta charset='utf-8'><title>Kaputt</title></head><body><main><h1>Kaputt</h1><p>"
            + text(800) + "</p><p>Gr\udcfc\udcdfe aus K\udcf6ln \udcff\udcfe und M\udcfcnchen.</p></main></body></html>")
    raw = page.encode("utf-8", "surrogateescape") + b"\xc3\x28 \xe2\x82 \xf0\x90\x80"
    url = env.serve("kaputt.html", raw, "Content-Type: text/html; charset=utf-8\n")
    run = env.check(env.crawl({"kind": "article", "url": url}), status="ok")
    assert run["new"] == 1
    (body,) = env.query("SELECT body FROM announcements WHERE source = 'hostile'")[0]
    body.encode("utf-8")  # a lone surrogate would raise here
    assert "Köln" in body and "München" in body  # repaired as the Latin-1 it really was


def links_page(n_links: int, *, gsb: bool) -> str:
    if gsb:
        items = "".join(
            f'<li class="media-space-list-item"><div class="card-block"><a class="card-link-overlay" '
            f'href="/artikel.html?n={n}">Artikel {n}</a></div></li>' for n in range(n_links))
        return f'<html><body><main id="main"><ul class="card-list-media-space">{items}</ul></main></body></html>'
    items = "".join(f'<li><a href="/artikel.html?n={n}">Artikel {n}</a></li>' for n in range(n_links))
    return f"<html><body><main><ul>{items}</ul></main></body></html>"


def crawl_links(env: Env, kind: dict[str, Any], max_rss_mb: float = MAX_RSS_MB) -> dict[str, Any]:
    url = env.serve("liste.html", links_page(100_000, gsb=kind["kind"] == "gsb"))
    env.serve("artikel.html", "<html><body><main id='main'><h1>Artikel</h1><p>" + text(900) + "</p></main></body></html>")
    crawl = env.crawl({**kind, "url": url, "max_pages": 25}, max_response_bytes=20 * 1024 * 1024)
    run = env.check(crawl, status=crawl.runs["hostile"]["status"], max_rss_mb=max_rss_mb)
    assert run["status"] in ("ok", "partial")
    assert re.search(r"stopped early after \d+ pages: max_pages = 25", run["error_messages"][0]), run
    fetched = [p for p in env.bad.paths() if p.startswith("/artikel.html")]
    assert len(fetched) <= 25 + 16  # the page limit, plus the requests already in flight
    assert run["pages"] <= 25 + 16
    return run


def test_a_listing_that_links_100000_pages(env: Env) -> None:
    crawl_links(env, {"kind": "article", "follow": r"/artikel\.html"})


def test_a_gsb_listing_that_links_100000_pages(env: Env) -> None:
    # The GSB spider parses the whole 100,000-item page into a DOM to apply its CSS selectors:
    # about 20x the page's size in memory, so this case is allowed more than the others.
    crawl_links(env, {"kind": "gsb"}, max_rss_mb=500)
