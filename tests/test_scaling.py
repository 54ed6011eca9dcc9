"""Work proportional to what changed: the full-text index, detection passes, bulk ingest."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from crawler.items import AnnouncementItem
from crawler.store import Store
from monitor.events import Detector, open_dataset

CASES = Path(__file__).parent / "cases" / "detection"


def fts_digest(conn: sqlite3.Connection) -> str:
    """A fingerprint of everything the full-text index holds (its segments and its sizes)."""
    h = hashlib.sha256()
    for table in ("announcements_fts_data", "announcements_fts_idx", "announcements_fts_docsize"):
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


def test_an_old_dataset_gets_the_new_trigger_without_a_rebuild(tmp_path: Path) -> None:
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
    hit = store.conn.execute("SELECT rowid FROM announcements_fts WHERE announcements_fts MATCH 'stoffnetz'")
    assert hit.fetchall() == [(1,)]  # the row indexed before the migration is still found
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
            return Detector(db).run(all_again=True)
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
