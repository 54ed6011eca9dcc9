"""Regional sites as analysts meet them: Latin-1, Windows-1252 and misdeclared pages crawled with
the generic `article` kind, and a GSB site after a relaunch changed its article markup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import TEST_SITES, write_config

pytestmark = pytest.mark.skipif(not (TEST_SITES / "regional").is_dir(), reason="test sites not present")

MOJIBAKE = ("Ã¤", "Ã¶", "Ã¼", "ÃŸ", "Ă€", "\ufffd")


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_regional_pages_in_any_encoding_are_stored_as_correct_unicode_with_their_dates(tmp_path, sites, cli) -> None:
    site = sites["regional"]
    config = write_config(tmp_path / "cw.toml", [{"name": "regional", "kind": "article",
                                                  "url": site.url + "/presse/index.html",
                                                  "follow": r"/presse/[^/]*\d{4}[^/]*\.html$"}])
    result = cli("crawl", "--json", config=config)
    run = result.json()[0]
    assert run["status"] == "ok", run["error_messages"]
    stored = rows(tmp_path / "data.db", "SELECT url, title, body, published, published_evidence FROM announcements")
    assert len(stored) == 5
    for url, title, body, published, evidence in stored:
        for bad in MOJIBAKE:
            assert bad not in (title or "") + body, (url, bad)
        assert published and evidence, url
    by_page = {url.rsplit("/", 1)[1]: (published, body) for url, _, body, published, _ in stored}
    assert by_page["2012-04-16-jahrestagung.html"][0].startswith("2012-04-16")
    assert by_page["pm-2016-04-14.html"][0].startswith("2016-04-14")
    assert by_page["presseinfo-2014-05-23.html"][0].startswith("2014-05-23")
    assert "Gießen" in by_page["2012-04-16-jahrestagung.html"][1]
    assert by_page["falsch-deklariert-2016-03-24.html"][0].startswith("2016-03-24")


def test_a_relaunched_gsb_site_is_read_through_the_fallback(tmp_path, sites, cli) -> None:
    site = sites["gsb_changed"]
    config = write_config(tmp_path / "cw.toml", [{"name": "bmwk", "kind": "gsb", "url": site.url +
                                                  "/SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html"}])
    run = cli("crawl", "--json", config=config).json()[0]
    assert run["status"] == "ok" and run["new"] == 3
    assert run["selector_misses"] == 3
    stored = rows(tmp_path / "data.db", "SELECT title, body, published FROM announcements ORDER BY published")
    assert all(title and len(body) > 300 and published for title, body, published in stored)
    relaunched = write_config(tmp_path / "cw2.toml", [{"name": "bmwk2", "kind": "gsb", "url": site.url +
                                                       "/Navigation/DE/Presse/pressemitteilungen.html"}],
                              database="other.db")
    broken = cli("crawl", "--json", config=relaunched)
    assert broken.code in (0, 1)
    listing = broken.json()[0]
    assert listing["selector_misses"] >= 1
