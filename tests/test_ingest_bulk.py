"""Bulk ingest's shortcuts keep the dataset what item-by-item ingest makes it: the full-text
indexes filled once per batch, the MinHash signature scheme a dataset keeps."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from crawler import fingerprint
from crawler.items import AnnouncementItem
from crawler.store import BadItem, Store, StoreError
from tests.test_scaling import CASES, bulk_workload

FTS = ("announcements_fts", "announcements_fts_fragments")


def triggers(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()


def fts_consistent(conn: sqlite3.Connection) -> None:
    """FTS5's own check, comparing each index with the texts in `announcements` (rank 1)."""
    for table in FTS:
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")


def matches(conn: sqlite3.Connection, query: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT rowid FROM announcements_fts WHERE announcements_fts MATCH ?"
                                       " ORDER BY rowid", (query,))]


def test_a_bulk_load_leaves_the_indexes_and_triggers_as_item_by_item_ingest(tmp_path: Path) -> None:
    items = bulk_workload()
    one = Store(tmp_path / "one.db", aggregators=["agg"])
    before = triggers(one.conn)
    for item in copy.deepcopy(items):
        try:
            one.ingest(item)
        except BadItem:
            pass
    bulk = Store(tmp_path / "bulk.db", aggregators=["agg"])
    results = list(bulk.ingest_many(items, batch_size=23))
    # The workload changes texts of rows stored in the same batch and in earlier ones: revised
    # releases and originals replacing their republication.
    assert {getattr(r, "status", None) for r in results} >= {"new", "updated", "duplicate"}
    assert bulk.conn.execute("SELECT count(*) FROM revisions").fetchone()[0] > 5
    assert triggers(bulk.conn) == before  # the insert trigger is back, the update trigger unchanged
    fts_consistent(bulk.conn)
    fts_consistent(one.conn)
    for query in ("Cluster", "Mitglied*", "Berlin", "Ergänzt", "Quelle", '"Ergänzt am Abend"'):
        assert matches(bulk.conn, query) == matches(one.conn, query), query
    assert matches(bulk.conn, '"Ergänzt am Abend"')  # revised texts are found by their new words
    # After the load, a single ingest indexes through the triggers again.
    bulk.ingest(AnnouncementItem(url="https://late.example/1", source="late", title="Nachzügler",
                                 body="Ein Zungenbrecherwort namens Quarkspeisenkonferenz."))
    assert matches(bulk.conn, "Quarkspeisenkonferenz")
    fts_consistent(bulk.conn)
    one.close()
    bulk.close()


def test_a_bulk_load_on_a_dataset_with_other_triggers_still_indexes(tmp_path: Path) -> None:
    """Triggers that are not the expected ones stay in charge (slower, still right)."""
    store = Store(tmp_path / "x.db")
    store.conn.execute("CREATE TRIGGER announcements_extra AFTER INSERT ON announcements BEGIN SELECT 1; END")
    sql = store.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'announcements_au'").fetchone()[0]
    store.conn.execute("DROP TRIGGER announcements_au")
    store.conn.execute(sql.replace("WHEN old.title", "WHEN 1 AND old.title"))
    list(store.ingest_many(bulk_workload(), batch_size=40))
    fts_consistent(store.conn)
    assert store.conn.execute("SELECT count(*) FROM announcements_fts_docsize").fetchone()[0] == \
        store.conn.execute("SELECT count(*) FROM announcements").fetchone()[0]
    store.close()


def case_words() -> list[str]:
    return [w for p in sorted(CASES.glob("*.txt")) for w in fingerprint.normalise_text(p.read_text("utf-8"))]


def test_scheme_2_estimates_what_scheme_1_estimates() -> None:
    words = case_words()
    assert len(words) > 5000
    texts = [words[i * 83 : i * 83 + 60 + (i * 53) % 300] for i in range(60)]
    # Republications: a dateline before, a source line after, a word changed in the middle.
    texts += [["berlin", "dpa"] + t[:30] + ["geändert"] + t[31:] + ["quelle", "ministerium"] for t in texts[:30]]
    batch = fingerprint.signatures(texts, fingerprint.SCHEME_ARRAYS)
    one_by_one = [fingerprint.signature(t, fingerprint.SCHEME_ARRAYS) for t in texts]
    for a, b in zip(batch, one_by_one, strict=True):
        assert a is not None and b is not None
        assert np.array_equal(a.hashvalues, b.hashvalues) and a.band_keys() == b.band_keys()
    errors = []
    for i in range(len(texts)):
        for j in (i + 1, i + 30, i + 7):
            if j >= len(texts):
                continue
            sa, sb = set(fingerprint.shingles(texts[i]) or ()), set(fingerprint.shingles(texts[j]) or ())
            jaccard = len(sa & sb) / len(sa | sb)
            estimate = batch[i].similarity(batch[j])  # type: ignore[union-attr]
            errors.append(abs(estimate - jaccard))
            assert abs(estimate - jaccard) < 0.2, (i, j, jaccard, estimate)
    assert float(np.mean(errors)) < 0.04
    # Near duplicates share a band (they become candidates), unrelated texts almost never do.
    shared = [len(set(batch[i].band_keys()) & set(batch[i + 60].band_keys())) for i in range(30)]  # type: ignore[union-attr]
    assert min(shared) >= 1
    # (texts i and i + 30 lie 2,490 words apart in the cases: no shingle in common)
    unrelated = [len(set(batch[i].band_keys()) & set(batch[i + 30].band_keys())) for i in range(30)]  # type: ignore[union-attr]
    assert sum(unrelated) <= 1
    # The two schemes' values differ: a dataset must never compare one with the other.
    s1 = fingerprint.signature(texts[0], fingerprint.SCHEME_DATASKETCH)
    assert s1 is not None and s1.similarity(batch[0]) < 0.1  # type: ignore[arg-type]


def republication(item: AnnouncementItem, n: int) -> AnnouncementItem:
    return AnnouncementItem(url=f"https://aggregator.example/{n}", source="agg", title=item.title,
                            body=f"Berlin (dpa): {item.body}\nQuelle: ministry.example", published=item.published)


def test_a_dataset_with_signatures_keeps_scheme_1_and_finds_its_near_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    store = Store(db)
    assert store.signature_scheme == fingerprint.SCHEME_ARRAYS  # a new dataset
    # A dataset from before migration 0010: signatures computed by datasketch, no setting.
    store.conn.execute("UPDATE dataset_settings SET value = '1'")
    store.close()
    store = Store(db)
    words = case_words()
    originals = [AnnouncementItem(url=f"https://ministry.example/{i}", source="ministry", title=f"Meldung {i}",
                                  body=" ".join(words[i * 400 : (i + 1) * 400]), published="2021-03-01")
                 for i in range(12)]
    for o in originals:
        assert store.ingest(copy.deepcopy(o)).status == "new"
    store.conn.execute("DROP TABLE dataset_settings")
    store.conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0010_signature_scheme'")
    store.close()

    store = Store(db)  # migration 0010 runs on a dataset that has signatures
    assert store.signature_scheme == fingerprint.SCHEME_DATASKETCH
    blob = store.conn.execute("SELECT signature FROM signatures ORDER BY announcement_id LIMIT 1").fetchone()[0]
    words = fingerprint.normalise_text(originals[0].title or "") + fingerprint.normalise_text(originals[0].body)
    assert blob == fingerprint.signature(words, fingerprint.SCHEME_DATASKETCH).to_bytes()  # type: ignore[union-attr]
    # Republications of the old rows are found as near duplicates, item by item and in bulk.
    single = store.ingest(republication(originals[0], 0))
    assert (single.status, single.match) == ("duplicate", "near")
    bulk = list(store.ingest_many([republication(o, n) for n, o in enumerate(originals[1:], 1)], batch_size=4))
    assert [(r.status, r.match) for r in bulk] == [("duplicate", "near")] * (len(originals) - 1)  # type: ignore[union-attr]
    store.close()

    # The same republications against scheme 2 signatures of the old rows would not match.
    new_sig = fingerprint.signature(words, fingerprint.SCHEME_ARRAYS)
    assert new_sig is not None and new_sig.similarity(fingerprint.Signature.from_bytes(blob)) < 0.1


def test_a_dataset_with_an_unknown_scheme_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    store.conn.execute("UPDATE dataset_settings SET value = '7'")
    store.close()
    with pytest.raises(StoreError, match="scheme '7'"):
        Store(tmp_path / "x.db")


def test_link_notes_are_removed_whatever_their_case() -> None:
    """The shortcut that skips the link-note pattern must not skip a note the pattern removes."""
    import re
    import unicodedata

    def always(text: str) -> list[str]:  # the pattern applied to every text, as before the shortcut
        text = unicodedata.normalize("NFKC", text)
        return re.findall(r"\w+", fingerprint._LINK_NOTE.sub(" ", text).casefold())

    texts = ["Text HTTPS://Example.org/x weiter [12] www.Beispiel.de <Http://a.b/c> ende",
             "Text ohne Verweise: Straße, Größe", "hTtP://x.y ſiehe httpſ://a.b WWW.X.DE \u212aelvin",
             "ein [ohne Zahl] und [3]Fußnote", "<  www.a.b  > nach"]
    for text in texts:
        assert fingerprint.normalise_text(text) == always(text), text
    assert fingerprint.normalise_text(texts[0]) == ["text", "weiter", "ende"]
    assert fingerprint.normalise_text(texts[2]) == ["siehe", "kelvin"]
