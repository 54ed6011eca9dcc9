"""Work proportional to what changed: the full-text index, detection passes, bulk ingest."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from crawler.items import AnnouncementItem
from crawler.search import search
from crawler.store import Store, connect_readonly
from monitor.events import EventRecorder, open_dataset

CASES = Path(__file__).parent / "cases" / "detection"


def fts_digest(conn: sqlite3.Connection) -> str:
    """A fingerprint of everything the full-text index holds (its segments and its sizes)."""
    h = hashlib.sha256()
    tables = [
        f"{index}_{part}"
        for index in ("announcements_fts", "announcements_fts_fragments")
        for part in ("data", "idx", "docsize")
    ]
    for table in [t for t in tables if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (t,)).fetchone()]:
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def case_items(n: int, source: str = "cases") -> list[AnnouncementItem]:
    texts = sorted(CASES.glob("*.txt"))[:n]
    return [
        AnnouncementItem(
            url=f"https://cases.example/{p.stem}",
            source=source,
            title=p.stem,
            body=p.read_text(encoding="utf-8"),
            published=f"2020-01-{i % 28 + 1:02d}",
        )
        for i, p in enumerate(texts)
    ]


def file_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.stat().st_size


def test_marking_rows_analysed_or_seen_leaves_the_full_text_index_untouched(tmp_path: Path) -> None:
    store = Store(tmp_path / "data.db")
    for it in case_items(30):
        store.ingest(it)
    before = fts_digest(store.conn)
    store.conn.execute("UPDATE announcements SET analysed_at = '2030-01-01T00:00:00+00:00', last_seen = 'x'")
    assert fts_digest(store.conn) == before
    # A changed text is still indexed: the old words are gone, the new ones found.
    store.conn.execute("UPDATE announcements SET body = 'Quantenkryptografie' WHERE id = 1")
    assert fts_digest(store.conn) != before
    found = store.conn.execute(
        "SELECT rowid FROM announcements_fts WHERE announcements_fts MATCH 'Quantenkryptografie'"
    ).fetchall()
    assert found == [(1,)]
    store.close()


def test_an_old_dataset_gets_the_new_indexes_and_triggers(tmp_path: Path) -> None:
    from sqlite_migrate import Migrations
    from sqlite_utils import Database

    import crawler.migrations as cm

    path = tmp_path / "old.db"
    old = Migrations("clusterwatch.crawler")
    for name, fn in [
        ("0001_announcements", cm.m0001_announcements),
        ("0002_crawl_runs", cm.m0002_crawl_runs),
        ("0003_fts_trigram", cm.m0003_fts),
        ("0004_source_state", cm.m0004_source_state),
        ("0005_sighting_titles", cm.m0005_sighting_titles),
        ("0006_archive_provenance", cm.m0006_archive_provenance),
    ]:
        old(name=name)(fn)
    old.apply(Database(str(path)))
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO announcements (url, title, source, body, first_seen, last_seen)"
        " VALUES ('https://a.example/1', 'Titel', 's', 'Wasserstoffnetzwerk', 'x', 'x')"
    )
    conn.commit()
    conn.close()
    store = Store(path)  # migrates
    sql = store.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'announcements_au'").fetchone()[0]
    assert "UPDATE OF title, body" in sql
    before = fts_digest(store.conn)
    store.conn.execute("UPDATE announcements SET analysed_at = 'now'")
    assert fts_digest(store.conn) == before
    # The row indexed before the migration is found by word and by fragment.
    conn = connect_readonly(path)
    assert [r["id"] for r in search(conn, "wasserstoff")] == [1]
    assert [r["id"] for r in search(conn, "stoffnetz")] == [1]
    conn.close()
    store.close()


def test_a_second_detect_all_leaves_the_dataset_size_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    store = Store(path)
    for it in case_items(120):
        store.ingest(it)
    store.close()

    def detect_all() -> dict[str, int]:
        db = open_dataset(path)
        try:
            return EventRecorder(db).run(all_again=True)
        finally:
            db.conn.close()

    first = detect_all()
    assert first["events"] > 0
    size = file_size(path)
    second = detect_all()
    assert second == {**first, "new_events": 0, "milestones": 0}
    assert file_size(path) == size


def test_reading_commands_do_not_import_the_heavy_libraries() -> None:
    """`query`, `search` and `--help` start in under 0.3 s only while the command line leaves
    SciPy (through datasketch), the migration tooling and trafilatura to the commands using them."""
    import subprocess
    import sys

    code = (
        "import sys, monitor.cli, crawler.search;"
        "print(sorted(m for m in ('datasketch', 'scipy', 'sqlite_utils', 'trafilatura', 'scrapy')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_signatures_of_many_texts_are_datasketchs_own() -> None:
    import numpy as np
    from datasketch import MinHash

    from crawler import fingerprint

    case_words = [w for p in sorted(CASES.glob("*.txt")) for w in fingerprint.normalise_text(p.read_text("utf-8"))]
    # Texts of 0 to 400 words cut from the cases: some too short for a signature, most long enough.
    texts = [case_words[i * 97 : i * 97 + (i * 37) % 400] for i in range(80)]
    mine = fingerprint.signatures(texts)
    assert sum(s is not None for s in mine) > 20
    for words, sig in zip(texts, mine, strict=True):
        sh = fingerprint.shingles(words)
        if sh is None:
            assert sig is None
            continue
        mh = MinHash(num_perm=fingerprint.NUM_PERM, seed=1)
        mh.update_batch(sh)
        assert sig is not None and np.array_equal(sig.hashvalues, mh.hashvalues.astype(np.uint64))


def bulk_workload() -> list[AnnouncementItem]:
    """What a backfill brings: originals, republications with a dateline and source line (near
    duplicates), the same text elsewhere, re-crawls, a revised text, an earlier-published copy
    arriving after its republication, and items that cannot be stored."""
    from crawler import fingerprint

    words = [w for p in sorted(CASES.glob("*.txt")) for w in p.read_text("utf-8").split()]
    originals = [
        AnnouncementItem(
            url=f"https://ministry.example/pm/{i}",
            source="ministry",
            title=f"Meldung {i}",
            body=" ".join((words * 2)[i * 397 % 4500 : i * 397 % 4500 + 60 + i % 200]),
            published=f"2021-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
        )
        for i in range(120)
    ]
    assert sum(fingerprint.signature(fingerprint.normalise_text(o.body)) is not None for o in originals) > 90
    out: list[AnnouncementItem] = []
    for i, o in enumerate(originals):
        if i % 7 == 3:  # the aggregator's copy first, the earlier original after it
            out.append(
                AnnouncementItem(
                    url=f"https://agg.example/?p={i}",
                    source="agg",
                    title=o.title,
                    body=f"Berlin: {o.body} Quelle: ministry.example",
                    published=o.published.replace("2021", "2022"),
                )
            )
        out.append(o)
        if i % 5 == 1:
            out.append(
                AnnouncementItem(
                    url=f"https://mirror.example/{i}",
                    source="mirror",
                    title=o.title,
                    body=o.body,
                    published=o.published,
                )
            )
        if i % 6 == 2:
            out.append(
                AnnouncementItem(
                    url=f"https://agg.example/?p={i}",
                    source="agg",
                    title=o.title,
                    body=f"Berlin: {o.body} Quelle: ministry.example",
                )
            )
        if i % 9 == 4:
            out.append(AnnouncementItem(url=o.url, source="ministry", title=o.title, body=o.body))
        if i % 11 == 5:
            out.append(
                AnnouncementItem(url=o.url, source="ministry", title=o.title, body=o.body + " Ergänzt am Abend.")
            )
        if i % 13 == 6:
            out.append(AnnouncementItem(url="mailto:x@example.org", source="bad", title="x", body="y"))
    return out


def dataset_contents(path: Path) -> list[list[tuple]]:
    conn = sqlite3.connect(path)
    out = [
        conn.execute(sql).fetchall()
        for sql in (
            "SELECT id, url, source, title, body, text_hash, revision, published FROM announcements ORDER BY id",
            "SELECT announcement_id, url, source, match, similarity, published FROM sightings ORDER BY url, source",
            "SELECT announcement_id, revision, body FROM revisions ORDER BY announcement_id, revision",
            "SELECT announcement_id, signature FROM signatures ORDER BY 1",
            "SELECT bucket, announcement_id FROM lsh_buckets ORDER BY 1, 2",
        )
    ]
    conn.close()
    return out


def ingest_both_ways(items: list[AnnouncementItem], tmp_path: Path, batch_size: int) -> tuple[list, list]:
    """The results of ingesting the items one by one into one.db and in bulk into bulk.db (an
    item that cannot be stored: its message)."""
    import copy

    from crawler.store import BadItem

    one = Store(tmp_path / "one.db", aggregators=["agg"])
    single: list[object] = []
    for item in copy.deepcopy(items):
        try:
            single.append(one.ingest(item))
        except BadItem as exc:
            single.append(str(exc))
    one.close()
    bulk_store = Store(tmp_path / "bulk.db", aggregators=["agg"])
    bulk = [r if not isinstance(r, BadItem) else str(r) for r in bulk_store.ingest_many(items, batch_size=batch_size)]
    bulk_store.close()
    return single, bulk


def test_bulk_ingest_stores_what_item_by_item_ingest_stores(tmp_path: Path) -> None:
    single, bulk = ingest_both_ways(bulk_workload(), tmp_path, 37)
    assert bulk == single
    statuses = {getattr(r, "status", "bad") for r in single}
    assert statuses == {"new", "duplicate", "unchanged", "updated", "bad"}
    assert {getattr(r, "match", None) for r in single} >= {"origin", "url", "text", "near"}
    assert dataset_contents(tmp_path / "bulk.db") == dataset_contents(tmp_path / "one.db")


BULK_CHILD = """
import sys
sys.path.insert(0, {root!r})
from crawler.store import Store
from tests.test_scaling import bulk_workload

store = Store({db!r}, aggregators=["agg"])
for n, result in enumerate(store.ingest_many(bulk_workload(), batch_size=25)):
    print(n, flush=True)
"""


def counts(conn: sqlite3.Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("announcements", "sightings", "revisions", "signatures", "announcements_fts_docsize",
                      "lsh_buckets", "lsh_pending")
    )


def test_a_killed_bulk_load_leaves_only_whole_announcements(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    # The state after each whole batch of 25, from an undisturbed load of the same items.
    check = Store(tmp_path / "check.db", aggregators=["agg"])
    whole = {counts(check.conn)}
    for n, _ in enumerate(check.ingest_many(bulk_workload(), batch_size=25)):
        if (n + 1) % 25 == 0:
            whole.add(counts(check.conn))
    check.close()

    db = tmp_path / "data.db"
    Store(db).close()
    code = BULK_CHILD.format(root=str(Path(__file__).resolve().parent.parent), db=str(db))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if int(line) >= 60:  # batches 1-3 committed, the fourth being written
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    state = counts(conn)
    assert state[0] > 0 and state in whole
    # Every announcement whole: its own sighting, its words indexed.
    orphan = conn.execute(
        "SELECT count(*) FROM announcements a WHERE NOT EXISTS (SELECT 1 FROM sightings s"
        " WHERE s.announcement_id = a.id AND s.url = a.url)"
    ).fetchone()[0]
    assert orphan == 0
    assert state[4] == state[0]
    # The batch being written had set the insert trigger aside and changed the update trigger,
    # in its transaction: both are as the migrations made them, and both indexes match the texts.
    fresh = sqlite3.connect(tmp_path / "check.db")
    assert conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY 1").fetchall() == \
        fresh.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY 1").fetchall()
    # It had also set the indexes' 'hashsize': their settings are as a load that finished leaves them.
    for table in ("announcements_fts", "announcements_fts_fragments"):
        assert conn.execute(f"SELECT k, v FROM {table}_config ORDER BY k").fetchall() == \
            fresh.execute(f"SELECT k, v FROM {table}_config ORDER BY k").fetchall() == [("version", 4)]
    fresh.close()
    for table in ("announcements_fts", "announcements_fts_fragments"):
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")
    # The band keys of the committed batches wait in lsh_pending (merged only at a load's end): the
    # next ingest merges them and finds a near duplicate of an announcement the killed load stored.
    assert conn.execute("SELECT count(*) FROM lsh_pending").fetchone()[0] > 0
    conn.close()
    original = sqlite3.connect(db).execute(
        "SELECT url, title, body FROM announcements WHERE source = 'ministry' ORDER BY id LIMIT 1").fetchone()
    store = Store(db, aggregators=["agg"])
    result = store.ingest(AnnouncementItem(url="https://late.example/1", source="late", title=original[1],
                                           body=f"Bonn: {original[2]} Quelle: ministry.example"))
    assert (result.status, result.match) == ("duplicate", "near")
    assert store.conn.execute("SELECT count(*) FROM lsh_pending").fetchone()[0] == 0
    store.close()
