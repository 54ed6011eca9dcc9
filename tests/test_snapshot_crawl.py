"""The whole snapshot crawled at once: ministry (GSB and feed), Cluster Platform, aggregator.

Proves deduplication across sites on the seed story: the aggregator's copy of the ministry's
release is a sighting of one announcement, the Cluster Platform's rewritten report is its own row.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from monitor.demo import FEED_BMWE, LISTING_BMWE, LISTING_CP, PROGRAMME_CP
from tests.conftest import SNAPSHOT, write_config

pytestmark = pytest.mark.skipif(not (SNAPSHOT / "aggregator").is_dir(), reason="snapshot not present")

BECKMEYER = "/Redaktion/DE/Pressemitteilungen/2014/20141117-beckmeyer-begruesst-das-100-mitglied-bei-go-cluster.html"
REWRITE = "/CLUSTER/Redaktion/DE/Kurzmeldungen/Aktuelles/2014/4_Quartal/20141118_automotive_nordwest_100_mitglied.html"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, sites):
    tmp = tmp_path_factory.mktemp("snapshot")
    bmwe, cp, agg = sites["bmwe"].url, sites["clusterplattform"].url, sites["aggregator"].url
    config = write_config(tmp / "cw.toml", [
        {"name": "bmwe-press", "kind": "gsb", "url": bmwe + LISTING_BMWE},
        {"name": "bmwe-feed", "kind": "feed", "url": bmwe + FEED_BMWE},
        {"name": "cp-news", "kind": "gsb", "url": cp + LISTING_CP},
        {"name": "go-cluster", "kind": "article", "url": cp + PROGRAMME_CP, "revisit": True},
        {"name": "aggregator", "kind": "article", "url": agg + "/", "follow": r"\?p=\d+$"},
    ])
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "CLUSTERWATCH_CONFIG": str(config)}
    proc = subprocess.run([sys.executable, "-m", "monitor", "crawl", "--json"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return {"db": tmp / "data.db", "runs": {r["source"]: r for r in json.loads(proc.stdout)},
            "bmwe": bmwe, "cp": cp, "agg": agg, "config": config}


def q(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_every_source_succeeds(crawled) -> None:
    for name, run in crawled["runs"].items():
        assert (name, run["status"], run["errors"]) == (name, "ok", 0), run["error_messages"]


def test_seed_copy_is_a_sighting_of_the_ministry_release_and_the_rewrite_its_own_row(crawled) -> None:
    db = crawled["db"]
    original = q(db, "SELECT DISTINCT announcement_id FROM sightings WHERE url = ?", (crawled["bmwe"] + BECKMEYER,))
    assert len(original) == 1
    sightings = q(db, "SELECT url, source, match FROM sightings WHERE announcement_id = ? ORDER BY id", (original[0][0],))
    urls = {u for u, _, _ in sightings}
    # Sources run concurrently, so either copy may be stored first; the other is its sighting.
    assert crawled["agg"] + "/?p=2871" in urls
    assert {m for _, _, m in sightings} & {"near", "text"}
    # Print view and jsessionid links collapsed into the one canonical address.
    assert not any("jsessionid" in u or "renderPrint" in u for u in urls)
    rewrite = q(db, "SELECT id, published FROM announcements WHERE url = ?", (crawled["cp"] + REWRITE,))
    assert len(rewrite) == 1 and rewrite[0][0] != original[0][0]
    assert rewrite[0][1] == "2014-11-18"


def test_dates_come_with_their_evidence(crawled) -> None:
    db = crawled["db"]
    rows = q(db, "SELECT url, published, published_evidence, published_reason FROM announcements")
    assert rows, "nothing stored"
    for url, published, evidence, reason in rows:
        assert (published is None) == (reason is not None), url
        assert published is None or evidence, url
    # The aggregator's header shows the day the page was rendered; that is not a publication date.
    assert not any(p and p.startswith("2026-11-24") for _, p, _, _ in rows)


def test_undated_programme_page_is_stored_with_a_reason(crawled) -> None:
    rows = q(crawled["db"], "SELECT published, published_reason, body FROM announcements WHERE url = ?",
             (crawled["cp"] + PROGRAMME_CP,))
    assert len(rows) == 1
    published, reason, body = rows[0]
    assert published is None and reason
    assert "Gegenwärtig nutzen 101 Mitglieder" in body


def test_aggregator_bodies_are_free_of_wordpress_chrome(crawled) -> None:
    bodies = q(crawled["db"], "SELECT s.url, a.body FROM sightings s JOIN announcements a ON a.id = s.announcement_id"
               " WHERE s.source = 'aggregator' AND s.match = 'origin'")
    assert bodies
    for url, body in bodies:
        for chrome in ("KOMMENTARE WERDEN GELADEN", "Jetzt lesen", "Kommentar schreiben", "Anmelden"):
            assert chrome not in body, (url, chrome)
