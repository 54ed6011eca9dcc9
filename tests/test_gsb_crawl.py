"""Real crawls of the Government Site Builder replica (data/snapshot/bmwe)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SNAPSHOT, write_config

LISTING = "/SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html"
ARTICLES = sorted((SNAPSHOT / "bmwe" / "Redaktion" / "DE" / "Pressemitteilungen").rglob("*.html"))
BECKMEYER = "/Redaktion/DE/Pressemitteilungen/2014/20141117-beckmeyer-begruesst-das-100-mitglied-bei-go-cluster.html"

pytestmark = pytest.mark.skipif(not ARTICLES, reason="snapshot not present")


NEW_TEXT = """<p>Der Verein Logistiknetz Weser-Ems e. V. aus Oldenburg verstärkt ab sofort das Programm.
Das Netzwerk verbindet Speditionen, Hafenbetriebe und Softwarehäuser zwischen Ems und Weser und
arbeitet an digitalen Frachtpapieren sowie an emissionsarmen Zustellkonzepten für die letzte Meile.</p>
<p>Die Geschäftsführerin betonte, man wolle die Erfahrungen aus Pilotprojekten mit Wasserstoff-Lkw und
automatisierten Umschlaganlagen mit anderen Regionen teilen. Erste gemeinsame Workshops mit Clustern
aus Bayern und Sachsen sind für den Herbst geplant, ebenso eine Delegationsreise nach Rotterdam.</p>"""


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def gsb_config(tmp_path: Path, url: str, **extra) -> Path:
    return write_config(tmp_path / "cw.toml", [{"name": "bmwe-press", "kind": "gsb", "url": url + LISTING, **extra}])


def test_listing_is_crawled_into_one_row_per_article(tmp_path, site_copy, cli) -> None:
    site = site_copy("bmwe")
    result = cli("crawl", "--json", config=gsb_config(tmp_path, site.url))
    assert result.code == 0, result.err
    run = result.json()[0]
    assert (run["status"], run["new"], run["errors"], run["selector_misses"]) == ("ok", len(ARTICLES), 0, 0)
    # Pagination followed: all three listing pages were read.
    listings = [p for p in site.paths() if p.startswith(LISTING) or "Pressemitteilungen_Formular" in p]
    assert len(listings) == 3
    db = tmp_path / "data.db"
    assert query(db, "SELECT count(*) FROM announcements") == [(len(ARTICLES),)]
    # jsessionid links are stored under their canonical address.
    assert query(db, "SELECT count(*) FROM announcements WHERE url LIKE '%jsessionid%'") == [(0,)]
    title, published, evidence, body, descriptor, tags = query(
        db, "SELECT title, published, published_evidence, body, descriptor, tags FROM announcements WHERE url = ?",
        (site.url + BECKMEYER,))[0]
    assert title == "Staatssekretär Beckmeyer begrüßt das 100. Mitglied bei go-cluster"
    assert (published, evidence) == ("2014-11-17", "topline")
    assert descriptor == "Pressemitteilung" and "go-cluster" in tags
    assert body.startswith("Das Innovationscluster Automotive Nordwest e. V. aus Bremen ist heute als 100. Mitglied")
    for chrome in ("© BMWi", "Das könnte Sie auch interessieren", "Seite teilen", "Pressekontakt",
                   "prüft ein Bauteil", "Cookie"):
        assert chrome not in body, chrome


def test_second_crawl_of_an_unchanged_site_only_asks_for_the_first_listing(tmp_path, site_copy, cli) -> None:
    site = site_copy("bmwe")
    config = gsb_config(tmp_path, site.url)
    assert cli("crawl", config=config).code == 0
    first_requests = len(site.requests)
    site.reset_log()
    run = cli("crawl", "--json", config=config).json()[0]
    assert (run["new"], run["updated"], run["errors"]) == (0, 0, 0)
    fetched = [p for p in site.paths() if p != "/robots.txt"]
    assert fetched == [LISTING]  # answered 304
    assert run["not_modified"] == 1
    assert len(site.requests) <= 0.1 * first_requests


def test_a_new_article_costs_one_listing_page_and_the_article(tmp_path, site_copy, cli) -> None:
    site = site_copy("bmwe")
    config = gsb_config(tmp_path, site.url)
    cli("crawl", config=config)
    listing = site.root / LISTING.lstrip("/")
    html = listing.read_text(encoding="utf-8")
    new_path = "/Redaktion/DE/Pressemitteilungen/2019/20190520-neues-mitglied.html"
    item = ('<ul class="card-list-media-space">\n<li class="media-space-list-item"><div class="card-block">'
            '<p class="topline"><span class="date">20.05.2019</span></p>'
            f'<a class="card-link-overlay" href="{new_path};jsessionid=XYZ">Neu</a></div></li>')
    listing.write_text(html.replace('<ul class="card-list-media-space">', item, 1), encoding="utf-8")
    article = (site.root / BECKMEYER.lstrip("/")).read_text(encoding="utf-8")
    start = article.index('<div class="content">') + len('<div class="content">')
    end = article.index('<div class="share-bar">')
    article = article[:start] + NEW_TEXT + "</div>\n" + article[end:]
    article = article.replace("17.11.2014", "20.05.2019")
    (site.root / new_path.lstrip("/")).write_text(article, encoding="utf-8")
    site.reset_log()
    run = cli("crawl", "--json", config=config).json()[0]
    assert [p for p in site.paths() if p != "/robots.txt"] == [LISTING, new_path + ";jsessionid=XYZ"]
    assert run["new"] + run["duplicates"] == 1
    assert query(tmp_path / "data.db", "SELECT published FROM announcements WHERE url LIKE ?",
                 ("%20190520-neues-mitglied.html",)) == [("2019-05-20",)]


def test_full_fetches_everything_again(tmp_path, site_copy, cli) -> None:
    site = site_copy("bmwe")
    config = gsb_config(tmp_path, site.url)
    cli("crawl", config=config)
    site.reset_log()
    run = cli("crawl", "--full", "--json", config=config).json()[0]
    assert run["new"] == 0 and run["unchanged"] == len(ARTICLES)
    assert sum(p.startswith("/Redaktion/") for p in site.paths()) == len(ARTICLES)


def test_changed_article_markup_falls_back_and_records_the_miss(tmp_path, site_copy, cli) -> None:
    site = site_copy("bmwe")
    path = site.root / BECKMEYER.lstrip("/")
    html = path.read_text(encoding="utf-8")
    # A relaunch renamed the content containers.
    path.write_text(html.replace('class="main-content"', 'class="article-body"').replace(
        '<div class="content">', '<div class="richtext">'), encoding="utf-8")
    run = cli("crawl", "--json", config=gsb_config(tmp_path, site.url)).json()[0]
    assert run["status"] == "ok" and run["selector_misses"] == 1
    assert any("article selectors missed; generic extraction used" in m for m in run["error_messages"])
    body, published = query(tmp_path / "data.db", "SELECT body, published FROM announcements WHERE url = ?",
                            (site.url + BECKMEYER,))[0]
    assert "als 100. Mitglied in das Exzellenzprogramm" in body
    assert "Das könnte Sie auch interessieren" not in body
    assert published == "2014-11-17"


def test_a_listing_that_suddenly_yields_nothing_marks_the_source_broken(tmp_path, site_copy, cli) -> None:
    site = site_copy("bmwe")
    config = gsb_config(tmp_path, site.url)
    cli("crawl", config=config)
    listing = site.root / LISTING.lstrip("/")
    listing.write_text("<html><body><main id='main'><p>Wartungsarbeiten</p></main></body></html>", encoding="utf-8")
    result = cli("crawl", "--json", config=config)
    assert result.code == 1
    assert result.json()[0]["error_messages"][0].endswith("listing yields no items")
    health = {s["name"]: s for s in cli("sources", "--json", config=config).json()}["bmwe-press"]
    assert health["health"] in ("broken", "failing")
    for _ in range(2):
        cli("crawl", config=config)
    health = {s["name"]: s for s in cli("sources", "--json", config=config).json()}["bmwe-press"]
    assert health["health"] == "broken" and "failed 3 runs in a row" in health["health_reason"]


def test_redirects_off_the_allowed_domains_are_not_followed(tmp_path, site_copy, cli) -> None:
    site = site_copy("bmwe")
    path = site.root / BECKMEYER.lstrip("/")
    path.with_name(path.name + ".headers").write_text("Status: 301\nLocation: http://elsewhere.invalid/x.html\n")
    run = cli("crawl", "--json", config=gsb_config(tmp_path, site.url)).json()[0]
    assert run["new"] == len(ARTICLES) - 1
    assert query(tmp_path / "data.db", "SELECT count(*) FROM announcements WHERE url LIKE '%elsewhere%'") == [(0,)]


def test_a_first_crawl_cut_short_is_completed_by_the_next(tmp_path, site_copy, cli) -> None:
    site = site_copy("bmwe")
    short = gsb_config(tmp_path, site.url, max_pages=8)
    first = cli("crawl", "--json", config=short).json()[0]
    assert first["new"] < len(ARTICLES)
    assert "stopped early" in first["error_messages"][0]
    full = gsb_config(tmp_path, site.url)
    second = cli("crawl", "--json", config=full).json()[0]
    assert first["new"] + second["new"] == len(ARTICLES)
    assert query(tmp_path / "data.db", "SELECT count(*) FROM announcements") == [(len(ARTICLES),)]
    # Now the archive has been read to its end: the next crawl is incremental again.
    site.reset_log()
    third = cli("crawl", "--json", config=full).json()[0]
    assert third["new"] == 0
    assert [p for p in site.paths() if p != "/robots.txt"] == [LISTING]


def test_a_crawl_whose_links_were_all_dropped_as_off_site_is_failing(tmp_path, site_copy, cli) -> None:
    # The start page is on the allowed domain, every article link points elsewhere: the crawl
    # used to say "ok, 1 page, 0 new".
    site = site_copy()
    (site.root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (site.root / "index.html").write_text(
        "<html><body><a href='http://localhost:9/news/1'>1</a> <a href='http://cluster.example/news/2'>2</a>"
        "</body></html>", encoding="utf-8")
    config = write_config(tmp_path / "cw.toml", [
        {"name": "copy", "kind": "article", "url": site.url + "/index.html", "follow": r"/news/\d+$"}])
    result = cli("crawl", "--json", config=config)
    assert result.code == 1 and "Traceback" not in result.err
    run = result.json()[0]
    assert run["status"] == "failed"
    assert run["error_messages"] == ["all 2 links were dropped as off-site (e.g. http://localhost:9/news/1):"
                                     " add 'localhost' to allowed_domains (127.0.0.1)"]
    health = cli("sources", "--json", config=config).json()[0]
    assert health["health"] == "failing" and "dropped as off-site" in health["health_reason"]
