"""The dataset and its deduplication, on real SQLite files."""

from __future__ import annotations

import itertools
import re
import sqlite3
from pathlib import Path

import pytest

from crawler.items import AnnouncementItem
from crawler.search import search
from crawler.store import BadItem, DatasetMissing, Store, connect_readonly
from tests.conftest import SHARED

SEED_FILE = SHARED / "seeds" / "000_0337014357feef00.txt"
SEED = SEED_FILE.read_text(encoding="utf-8") if SEED_FILE.exists() else None
TITLE = "Staatssekretär Beckmeyer begrüßt das 100. Mitglied bei go-cluster"

REWRITTEN = (
    "Das Exzellenzprogramm go-cluster des Bundeswirtschaftsministeriums hat die Marke von hundert "
    "Clusterinitiativen erreicht. Neu dabei ist der Bremer Verein Innovationscluster Automotive "
    "Nordwest, der Zulieferer, Hersteller und Hochschulen der Region zusammenbringt. Staatssekretär "
    "Uwe Beckmeyer würdigte den Beitritt und nannte das Programm eine Erfolgsgeschichte. Die Cluster "
    "im Programm profitieren von Beratung, Vernetzung und einer höheren Sichtbarkeit gegenüber "
    "Politik und Wirtschaft, heißt es aus dem Ministerium. Automotive Nordwest arbeitet seit 2008 "
    "daran, den Nordwesten als Standort der Automobilindustrie bekannter zu machen."
)


def ministry_original(seed: str) -> str:
    """The ministry's text: the seed without what the aggregator added, on unwrapped lines."""
    text = seed.replace("Berlin:\n", "").replace("\nsteckdose\n", "\n")
    text = text.replace("Quelle:bmwi.bund.de", "").replace("Von redaktion", "")
    text = re.sub(r"\s*<http[^>]+>", "", text)
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n") if p.strip())


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "data.db")
    yield s
    s.close()


def item(url: str, body: str, source: str = "test", title: str | None = TITLE, **kw) -> AnnouncementItem:
    return AnnouncementItem(url=url, source=source, title=title, body=body, **kw)


def count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


needs_seed = pytest.mark.skipif(SEED is None, reason="../shared/seeds is not beside this checkout")


@needs_seed
def test_republication_is_a_sighting_and_a_rewrite_is_a_new_row(store: Store) -> None:
    original = store.ingest(item("https://www.bmwi.de/Redaktion/DE/Pressemitteilungen/2014/x.html",
                                 ministry_original(SEED), source="bmwi"))
    copy = store.ingest(item("https://aggregator.example/?p=1234", SEED, source="aggregator"))
    rewrite = store.ingest(item("https://www.clusterplattform.de/x.html", REWRITTEN, source="cp",
                                title="go-cluster erreicht 100 Mitglieder"))
    assert original.status == "new"
    assert (copy.status, copy.match, copy.announcement_id) == ("duplicate", "near", original.announcement_id)
    assert copy.similarity is not None and copy.similarity >= 0.8
    assert rewrite.status == "new"
    assert count(store, "announcements") == 2
    sightings = store.conn.execute(
        "SELECT url, source FROM sightings WHERE announcement_id = ? ORDER BY id", (original.announcement_id,)
    ).fetchall()
    assert sightings == [
        ("https://www.bmwi.de/Redaktion/DE/Pressemitteilungen/2014/x.html", "bmwi"),
        ("https://aggregator.example/?p=1234", "aggregator"),
    ]


def test_url_variants_are_one_announcement(store: Store) -> None:
    body = REWRITTEN
    base = "https://www.bmwe.de/Redaktion/DE/Pressemitteilungen/2019/20190411-slug.html"
    results = [
        store.ingest(item(base + ";jsessionid=8A1C5E2F3B.1_cid289", body)),
        store.ingest(item(base + "?view=renderPrint", body)),
        store.ingest(item(base.replace("https://www.bmwe.de", "HTTPS://WWW.BMWE.DE:443") + "#start", body)),
        store.ingest(item(base + "?utm_source=newsletter", body)),
    ]
    assert [r.status for r in results] == ["new", "unchanged", "unchanged", "unchanged"]
    assert count(store, "announcements") == 1
    assert store.conn.execute("SELECT url FROM announcements").fetchone()[0] == base


def test_same_text_at_another_address_is_the_same_announcement(store: Store) -> None:
    first = store.ingest(item("https://a.example/one.html", REWRITTEN, source="a"))
    second = store.ingest(item("https://b.example/two.html", REWRITTEN, source="b", title="Anderer Titel"))
    assert (second.status, second.match, second.announcement_id) == ("duplicate", "text", first.announcement_id)
    assert count(store, "sightings") == 2


def test_changed_text_keeps_the_old_one_as_a_revision(store: Store) -> None:
    url = "https://www.bmwe.de/Redaktion/DE/Pressemitteilungen/2019/20190411-slug.html"
    store.ingest(item(url, REWRITTEN))
    edited = REWRITTEN.replace("hundert", "einhundert")
    result = store.ingest(item(url, edited))
    assert result.status == "updated"
    row = store.conn.execute("SELECT body, revision FROM announcements").fetchone()
    assert row == (edited, 1)
    assert store.conn.execute("SELECT revision, body FROM revisions").fetchall() == [(0, REWRITTEN)]
    # Seeing the edited text again changes nothing.
    assert store.ingest(item(url, edited)).status == "unchanged"
    assert count(store, "revisions") == 1


def test_a_summary_never_replaces_a_full_text(store: Store) -> None:
    url = "https://www.bmwe.de/a.html"
    store.ingest(item(url, REWRITTEN, text_kind="full"))
    result = store.ingest(item(url, "Kurzfassung der Meldung.", text_kind="summary"))
    assert result.status == "unchanged"
    assert store.conn.execute("SELECT body FROM announcements").fetchone()[0] == REWRITTEN


def test_an_aggregator_editing_its_copy_does_not_revise_the_original(store: Store) -> None:
    if SEED is None:
        pytest.skip("../shared/seeds is not beside this checkout")
    store.ingest(item("https://www.bmwi.de/x.html", ministry_original(SEED), source="bmwi"))
    store.ingest(item("https://aggregator.example/?p=1", SEED, source="agg"))
    result = store.ingest(item("https://aggregator.example/?p=1", SEED + "\nNachtrag der Redaktion.", source="agg"))
    assert result.status == "unchanged"
    assert count(store, "revisions") == 0


def test_unknown_date_is_stored_as_null_with_a_reason(store: Store) -> None:
    store.ingest(item("https://a.example/x", REWRITTEN, published_reason="no date in page or URL"))
    row = store.conn.execute("SELECT published, published_reason FROM announcements").fetchone()
    assert row == (None, "no date in page or URL")


def test_a_later_sighting_fills_in_an_unknown_date(store: Store) -> None:
    store.ingest(item("https://a.example/x", REWRITTEN))
    store.ingest(item("https://a.example/x", REWRITTEN, published="2019-04-11", published_evidence="url"))
    row = store.conn.execute("SELECT published, published_evidence, published_reason FROM announcements").fetchone()
    assert row == ("2019-04-11", "url", None)


def test_items_without_a_web_address_or_text_are_refused(store: Store) -> None:
    with pytest.raises(BadItem, match="not an absolute"):
        store.ingest(item("mailto:presse@bmwe.bund.de", REWRITTEN))
    with pytest.raises(BadItem, match="neither title nor text"):
        store.ingest(item("https://a.example/x", "", title=None))
    assert count(store, "announcements") == 0


def test_full_text_search_finds_german_words_umlauts_and_compounds(store: Store) -> None:
    store.ingest(item("https://a.example/1", REWRITTEN))
    store.ingest(item("https://a.example/2", "Die Mitgliedsunternehmen des Clusters in Gießen "
                      "treffen sich zur Jahrestagung. " * 5, title="Gießener Treffen"))
    conn = connect_readonly(store.path)
    assert [r["url"] for r in search(conn, "Gießen")] == ["https://a.example/2"]
    assert [r["url"] for r in search(conn, "unternehmen")] == ["https://a.example/2"]  # inside a compound
    assert [r["url"] for r in search(conn, "Sichtbarkeit Beckmeyer")] == ["https://a.example/1"]
    hit = search(conn, "Erfolgsgeschichte")[0]
    assert "[Erfolgsgeschichte]" in hit["snippet"]


def test_dataset_is_in_wal_mode_with_named_migrations(store: Store) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert names[:3] == ["0001_announcements", "0002_crawl_runs", "0003_fts_trigram"]
    # Reopening applies nothing twice.
    Store(store.path).close()
    assert store.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(names)


def test_readers_query_while_a_writer_holds_a_transaction(store: Store) -> None:
    store.ingest(item("https://a.example/1", REWRITTEN))
    store.conn.execute("BEGIN IMMEDIATE")
    store.conn.execute("UPDATE announcements SET title = 'x'")
    reader = connect_readonly(store.path)
    assert reader.execute("SELECT title FROM announcements").fetchone()[0] == TITLE
    store.conn.execute("COMMIT")


@pytest.mark.parametrize("sql", [
    "DELETE FROM announcements",
    "UPDATE announcements SET title = 'x'",
    "DROP TABLE announcements",
    "CREATE TABLE t(x)",
    "ATTACH DATABASE ':memory:' AS other",
    "PRAGMA query_only = OFF",
    "SELECT load_extension('x')",
])
def test_read_only_connection_refuses_writes(store: Store, sql: str) -> None:
    store.ingest(item("https://a.example/1", REWRITTEN))
    conn = connect_readonly(store.path)
    with pytest.raises(sqlite3.Error):
        conn.execute(sql)
        conn.execute("DELETE FROM announcements")
    assert count(store, "announcements") == 1


def test_missing_dataset_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetMissing, match="clusterwatch crawl"):
        connect_readonly(tmp_path / "nothing.db")


@needs_seed
def test_an_earlier_original_arriving_after_its_copy_becomes_the_announcement(store: Store) -> None:
    copy = store.ingest(item("https://aggregator.example/?p=912", SEED, source="agg", published="2014-11-18"))
    original = store.ingest(item("https://www.bmwi.de/pm.html", ministry_original(SEED), source="bmwi",
                                 published="2014-11-17", published_evidence="topline"))
    assert original.status == "duplicate" and original.announcement_id == copy.announcement_id
    row = store.conn.execute("SELECT url, source, published, published_evidence FROM announcements").fetchone()
    assert row == ("https://www.bmwi.de/pm.html", "bmwi", "2014-11-17", "topline")
    assert count(store, "sightings") == 2
    # A later copy never takes the place of an earlier original.
    store.ingest(item("https://other.example/copy", SEED + " Nachtrag.", source="x", published="2015-01-01"))
    assert store.conn.execute("SELECT url FROM announcements").fetchone()[0] == "https://www.bmwi.de/pm.html"


MINISTRY = "https://www.bmwi.de/Redaktion/DE/Pressemitteilungen/2014/20141117-beckmeyer.html"
COPIES = {
    "aggregator": item("https://aggregator.example/?p=2871", REWRITTEN, source="aggregator",
                       published="2014-11-17T16:42:00+01:00"),
    "feed": item(MINISTRY, REWRITTEN, source="bmwi-feed", published="2014-11-17T09:45:00+01:00"),
    "listing": item(MINISTRY, REWRITTEN, source="bmwi-press", published="2014-11-17"),
}


@pytest.mark.parametrize("order", list(itertools.permutations(COPIES)), ids="-".join)
def test_the_own_copy_is_the_same_whatever_the_crawl_order(tmp_path: Path, order: tuple[str, ...]) -> None:
    # The demo kept the aggregator's 16:42 copy in 4 runs of 5: days alone were compared, and on
    # a tie the copy stored first stayed.
    store = Store(tmp_path / "data.db", aggregators=["aggregator"])
    try:
        for name in order:
            store.ingest(COPIES[name])
        assert store.conn.execute("SELECT url FROM announcements").fetchall() == [(MINISTRY,)]
    finally:
        store.close()


def test_full_timestamps_decide_between_two_original_publishers(store: Store) -> None:
    store.ingest(item("https://late.example/pm", REWRITTEN, source="late", published="2014-11-17T16:42:00+01:00"))
    store.ingest(item("https://early.example/pm", REWRITTEN, source="early", published="2014-11-17T09:45:00+01:00"))
    assert store.conn.execute("SELECT url FROM announcements").fetchone()[0] == "https://early.example/pm"
    # Same day, one copy without a time and neither an aggregator: the copy seen first stays.
    store.ingest(item("https://undated-time.example/pm", REWRITTEN, source="third", published="2014-11-17"))
    assert store.conn.execute("SELECT url FROM announcements").fetchone()[0] == "https://early.example/pm"


def test_aggregator_is_a_source_key(tmp_path: Path) -> None:
    from crawler.config import config_from_dict

    config = config_from_dict({"sources": [
        {"name": "agg", "kind": "article", "url": "https://agg.example/", "aggregator": True},
        {"name": "own", "kind": "article", "url": "https://own.example/"}]}, path=None, db=tmp_path / "x.db")
    assert [s.aggregator for s in config.sources] == [True, False]
