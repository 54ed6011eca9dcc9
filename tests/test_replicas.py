"""Checks that the replica websites are internally consistent.

The crawler tests and `clusterwatch demo` rely on these static sites behaving like the real
ones; a broken link or a misdeclared charset here would show up later as a confusing crawler
failure, so the replicas are validated on their own. The URL-to-file rules mirror the test
server's: `<path>@<query>` for query strings, `;jsessionid=...` stripped, `/` is `index.html`,
`<file>.headers` for response headers.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import lxml.html
import pytest
from parsel import Selector
from protego import Protego

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "snapshot"
TEST_SITES = ROOT / "tests" / "sites"
SITES = sorted(
    [p for p in SNAPSHOT.iterdir() if p.is_dir()] + [p for p in TEST_SITES.iterdir() if p.is_dir()]
)
SEED = Path("/work/shared/seeds/000_0337014357feef00.txt")
BASE = "http://127.0.0.1:8000"

# Deliberately wrong: the server says UTF-8, the bytes are Latin-1 (see tests/sites/regional).
MISDECLARED = {TEST_SITES / "regional/presse/falsch-deklariert-2016-03-24.html"}
# Not feeds on purpose, or cut off on purpose.
NOT_FEEDS = {TEST_SITES / "feeds/notafeed.xml", TEST_SITES / "feeds/broken.xml"}
GSB_ARTICLE_DIRS = [
    SNAPSHOT / "bmwe/Redaktion/DE/Pressemitteilungen",
    SNAPSHOT / "clusterplattform/CLUSTER/Redaktion/DE/Kurzmeldungen",
]
LISTINGS = {
    "bmwe": ("/SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html", 25, 3),
    "clusterplattform": ("/CLUSTER/Navigation/DE/Aktuelles/Kurzmeldungen/kurzmeldungen.html", 15, 2),
}


def is_html(path: Path) -> bool:
    name = path.name
    return name.endswith(".html") or (".html@" in name and not name.endswith(".headers"))


def html_files() -> list[Path]:
    return sorted(p for site in SITES for p in site.rglob("*") if p.is_file() and is_html(p))


def site_of(path: Path) -> Path:
    return next(s for s in SITES if s in path.parents)


def url_of(path: Path) -> str:
    """The root-relative URL the test server serves `path` under."""
    rel = path.relative_to(site_of(path)).as_posix()
    name, _, query = rel.partition("@")
    return "/" + name + (f"?{query}" if query else "")


def resolve(site: Path, url: str) -> Path | None:
    """Map a root-relative or absolute URL to the file the server would send."""
    parts = urlsplit(url)
    segments = [seg.split(";", 1)[0] for seg in parts.path.split("/")]
    path = unquote("/".join(segments)).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    if parts.query:
        candidate = site / f"{path}@{parts.query}"
        if candidate.is_file():
            return candidate
    candidate = site / path
    return candidate if candidate.is_file() else None


def headers_of(path: Path) -> dict[str, str]:
    sidecar = path.with_name(path.name + ".headers")
    if not sidecar.exists():
        return {}
    lines = sidecar.read_text(encoding="ascii").splitlines()
    return {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines if ln)}


def declared_charset(path: Path) -> str | None:
    m = re.search(r"charset=([\w-]+)", headers_of(path).get("content-type", ""), re.I)
    return m.group(1).lower() if m else None


def meta_charset(raw: bytes) -> str | None:
    m = re.search(rb'<meta charset="([\w-]+)"', raw[:2048], re.I)
    return m.group(1).decode().lower() if m else None


def text_of(path: Path) -> str:
    raw = path.read_bytes()
    if path in MISDECLARED:
        return raw.decode("iso-8859-1")
    return raw.decode(declared_charset(path) or meta_charset(raw) or "utf-8")


def sel(path: Path) -> Selector:
    return Selector(text=text_of(path))


def norm(s: str) -> str:
    return " ".join(s.split())


@pytest.mark.parametrize("path", html_files(), ids=lambda p: url_of(p))
def test_html_parses_and_links_resolve(path: Path) -> None:
    doc = lxml.html.document_fromstring(text_of(path))
    if "@" in path.name:
        # the extension no longer says HTML, so the sidecar must
        assert headers_of(path).get("content-type", "").startswith("text/html")
    assert doc.find("body") is not None
    assert "{{BASE}}" not in text_of(path)
    site = site_of(path)
    page_url = url_of(path)
    for attr, value in (
        [("href", v) for v in doc.xpath("//a/@href | //link/@href")]
        + [("src", v) for v in doc.xpath("//img/@src | //script/@src")]
    ):
        parts = urlsplit(value)
        if parts.scheme in ("http", "https", "mailto") or value.startswith("#"):
            assert "127.0.0.1" not in value and "localhost" not in value, value
            continue
        assert resolve(site, urljoin(page_url, value)) is not None, f"{attr}={value} in {path}"


def gsb_articles() -> list[Path]:
    return sorted(p for d in GSB_ARTICLE_DIRS for p in d.rglob("*") if is_html(p))


@pytest.mark.parametrize("path", gsb_articles(), ids=lambda p: url_of(p))
def test_gsb_article_selectors(path: Path) -> None:
    s = sel(path)
    head = s.css("main#main > div.main-head")
    assert head, "main-head missing"
    date = head.css("span.date::text").get()
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", date)
    d, m, y = date.split(".")
    assert f"/{y}{m}{d}" in url_of(path).replace("_", "/").replace("-", "/"), "URL date differs"
    assert head.css("span.topline-descriptor::text").get() in ("Pressemitteilung", "Meldung")
    assert head.css(".title::text").get().strip()
    body = norm(" ".join(s.css("main#main > div.main-content div.content ::text").getall()))
    assert len(body) > 600


def test_changed_gsb_markup_misses_the_selectors_but_has_text() -> None:
    site = TEST_SITES / "gsb_changed"
    articles = sorted((site / "Redaktion").rglob("*.html"))
    assert len(articles) == 3
    for path in articles:
        s = sel(path)
        assert not s.css("main#main > div.main-content div.content")
        assert not s.css("main#main > div.main-head")
        assert len(norm(" ".join(s.css("div.article-body ::text").getall()))) > 800
    listing = sel(site / "SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html")
    assert len(listing.css("a.card-link-overlay")) == 3
    relaunched = sel(site / "Navigation/DE/Presse/pressemitteilungen.html")
    assert not relaunched.css("ul.card-list-media-space > li.media-space-list-item div.card-block")
    assert len(relaunched.css("a.teaser-link")) == 3


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_listing_pagination_reaches_every_article_once(name: str) -> None:
    site = SNAPSHOT / name
    start, total, pages = LISTINGS[name]
    url, seen_pages, found = start, 0, []
    while url:
        path = resolve(site, url)
        assert path is not None, url
        seen_pages += 1
        s = sel(path)
        for card in s.css("ul.card-list-media-space > li.media-space-list-item div.card-block"):
            href = card.css("a.card-link-overlay::attr(href)").get()
            date = card.css("p.topline span.date::text").get()
            target = resolve(site, urljoin(url, href))
            assert target is not None, href
            assert sel(target).css("main#main span.date::text").get() == date
            found.append(target)
        nxt = s.css('ul.pagination a[aria-label="Next"]::attr(href)').get()
        url = urljoin(url, nxt) if nxt else None
    assert seen_pages == pages
    assert len(found) == len(set(found)) == total
    dates = [tuple(reversed(sel(p).css("span.date::text").get().split("."))) for p in found]
    assert dates == sorted(dates, reverse=True), "listing must be newest first"


def feed_files() -> list[Path]:
    return sorted(p for s in SITES for p in s.rglob("*") if p.suffix in (".xml", ".atom"))


@pytest.mark.parametrize("path", feed_files(), ids=lambda p: url_of(p))
def test_feeds(path: Path) -> None:
    parsed = feedparser.parse(path.read_text(encoding="utf-8").replace("{{BASE}}", BASE))
    if path in NOT_FEEDS:
        assert parsed.bozo
        return
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.title and entry.get("summary")
        assert entry.link.startswith(BASE)
        assert resolve(site_of(path), entry.link[len(BASE):]) is not None, entry.link
        assert entry.get("published_parsed") or entry.get("updated_parsed")


def test_ministry_feed_lists_the_15_newest_releases() -> None:
    site = SNAPSHOT / "bmwe"
    feed = site / "SiteGlobals/Functions/RSSFeed/DE/RSSNewsfeed/RSS_Pressemitteilungen.xml"
    parsed = feedparser.parse(feed.read_text(encoding="utf-8").replace("{{BASE}}", BASE))
    links = [e.link[len(BASE):] for e in parsed.entries]
    releases = sorted((site / "Redaktion/DE/Pressemitteilungen").rglob("*.html"), reverse=True)
    assert links == [url_of(p) for p in releases[:15]]


def sidecars() -> list[Path]:
    return sorted(p for s in SITES for p in s.rglob("*.headers"))


@pytest.mark.parametrize("sidecar", sidecars(), ids=lambda p: url_of(p))
def test_charset_sidecars_match_the_bytes(sidecar: Path) -> None:
    page = sidecar.with_name(sidecar.name[: -len(".headers")])
    assert page.is_file()
    charset = declared_charset(page)
    raw = page.read_bytes()
    if page in MISDECLARED:
        with pytest.raises(UnicodeDecodeError):
            raw.decode(charset)
        assert "Gründerzentrum" in raw.decode("iso-8859-1")
        return
    text = raw.decode(charset)
    meta = meta_charset(raw)
    assert meta is None or meta == charset
    assert re.search("[äöüßÄÖÜ]", text), "no umlauts: the charset check proves nothing"


def test_pages_without_sidecar_are_utf8() -> None:
    for path in html_files():
        if not headers_of(path):
            raw = path.read_bytes()
            raw.decode("utf-8")
            assert meta_charset(raw) in ("utf-8", None), path


def test_regional_site_has_each_encoding_case() -> None:
    site = TEST_SITES / "regional"
    charsets = {declared_charset(p) for p in site.rglob("*.html")}
    assert {"iso-8859-1", "windows-1252", "utf-8"} <= charsets
    cp = site / "presse/messe-2014-10-28.html"
    assert b"\x84" in cp.read_bytes() and b"\x80" in cp.read_bytes()  # „ and € in cp1252
    assert "„Für einen Betrieb" in text_of(cp)


def seed_paragraphs() -> list[str]:
    return [p for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]


@pytest.mark.skipif(not SEED.exists(), reason="seed document not available")
def test_aggregator_carries_the_seed_text_verbatim() -> None:
    s = sel(SNAPSHOT / "aggregator/index.html@p=2871")
    paragraphs = [p.xpath("string()").get() for p in s.css("div.entry-content > p")]
    byline = norm(s.css("footer.entry-footer .byline").xpath("string()").get())
    assert paragraphs + [byline] == seed_paragraphs()


@pytest.mark.skipif(not SEED.exists(), reason="seed document not available")
def test_ministry_original_is_the_seed_without_aggregator_additions() -> None:
    path = (SNAPSHOT / "bmwe/Redaktion/DE/Pressemitteilungen/2014/"
            "20141117-beckmeyer-begruesst-das-100-mitglied-bei-go-cluster.html")
    s = sel(path)
    body = [norm(p.xpath("string()").get())
            for p in s.css("main#main > div.main-content div.content > div.picture p, "
                           "main#main > div.main-content div.content > p")]
    expected = [re.sub(r"\s*<http[^>]+>", "", norm(p)) for p in seed_paragraphs()]
    expected = [p for p in expected
                if p not in ("Berlin:", "steckdose", "Quelle:bmwi.bund.de", "Von redaktion")]
    assert s.css("main#main .title::text").get() == expected[0]
    # the body opens with the caption printed twice and the credit, as on the real site
    caption = s.css("p.picture-caption::text").get()
    assert body[:3] == [caption, caption, "© BMWi/Andreas Mertens"]
    assert body[3:] == expected[1:]
    assert "steckdose" not in text_of(path) and "Quelle:" not in text_of(path)


def test_robots_allow_listings_and_disallow_search() -> None:
    rp = Protego.parse((SNAPSHOT / "bmwe/robots.txt").read_text(encoding="utf-8"))
    assert rp.can_fetch(f"{BASE}/SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html?gtp=2",
                        "clusterwatch")
    assert not rp.can_fetch(f"{BASE}/SiteGlobals/Forms/Suche/Expertensuche_Formular.html?x=1",
                            "clusterwatch")
    for site in SITES:
        rp = Protego.parse((site / "robots.txt").read_text(encoding="utf-8"))
        for start, _, _ in LISTINGS.values():
            if resolve(site, start):
                assert rp.can_fetch(BASE + start, "clusterwatch")


def test_milestones_are_consistent_across_sites() -> None:
    """The go-cluster story told by the three sites must agree on dates and numbers."""
    bmwe = SNAPSHOT / "bmwe/Redaktion/DE/Pressemitteilungen"
    cp = SNAPSHOT / "clusterplattform/CLUSTER/Redaktion/DE/Kurzmeldungen/Aktuelles"
    expected = {
        bmwe / "2012/20121122-kunststoff-cluster-ist-50-mitglied-bei-go-cluster.html": "50. Mitglied",
        bmwe / "2013/20131015-go-cluster-waechst-auf-87-mitglieder.html": "87 Cluster an",
        bmwe / "2014/20141117-beckmeyer-begruesst-das-100-mitglied-bei-go-cluster.html": "100.",
        bmwe / "2015/20150618-go-cluster-ueber-100-mitglieder-setzen-auf-cross-clustering.html":
            "über 100 Mitglieder",
        cp / "2014/4_Quartal/20141118_automotive_nordwest_100_mitglied.html": "17. November 2014",
        cp / "2014/1_Quartal/20140313_vier_neue_mitglieder_go_cluster.html": "93 Cluster an",
    }
    for path, phrase in expected.items():
        assert phrase in text_of(path), (path, phrase)
    programme = SNAPSHOT / "clusterplattform/CLUSTER/Navigation/DE/Clusterpolitik/Bund/go-cluster"
    page = sel(programme / "go-cluster.html")
    assert not page.css("span.date"), "the programme page is undated on the real site"
    assert "Gegenwärtig nutzen 101 Mitglieder" in text_of(programme / "go-cluster.html")
    bodies = {p: norm(" ".join(sel(p).css("div.content ::text, div.entry-content ::text").getall()))
              for p in SNAPSHOT.rglob("*") if is_html(p) and "@view=" not in p.name}
    hundredth = sorted(p for p, text in bodies.items()
                       if re.search(r"als 100\. Mitglied|hundertstes Mitglied", text))
    # the original, the aggregator's copy, the platform's report and a later back-reference
    assert len(hundredth) == 4, hundredth
