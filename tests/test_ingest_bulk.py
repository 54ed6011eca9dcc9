"""Bulk ingest's shortcuts keep the dataset what item-by-item ingest makes it: the full-text
indexes filled once per batch, the MinHash signature scheme a dataset keeps."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from crawler import fingerprint
from crawler import store as store_module
from crawler.items import AnnouncementItem
from crawler.store import BadItem, Store, StoreError, immediate
from tests.test_scaling import CASES, bulk_workload, dataset_contents, ingest_both_ways

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


def fts_settings(conn: sqlite3.Connection) -> list[list[tuple[str, object]]]:
    return [conn.execute(f"SELECT k, v FROM {table}_config ORDER BY k").fetchall() for table in FTS]


def test_a_bulk_load_gives_the_full_text_indexes_their_settings_back(tmp_path: Path) -> None:
    """A batch writes each index with a larger 'hashsize' and puts the dataset's back before its
    commit: none (FTS5's default) or the one someone set."""
    plain = Store(tmp_path / "plain.db")
    before = fts_settings(plain.conn)
    list(plain.ingest_many(bulk_workload(), batch_size=40))
    assert fts_settings(plain.conn) == before == [[("version", 4)]] * 2
    set_ = Store(tmp_path / "set.db")
    set_.conn.execute("INSERT INTO announcements_fts (announcements_fts, rank) VALUES ('hashsize', 2000000)")
    before = fts_settings(set_.conn)
    list(set_.ingest_many(bulk_workload(), batch_size=40))
    assert fts_settings(set_.conn) == before
    assert ("hashsize", 2000000) in before[0]
    for store in (plain, set_):
        fts_consistent(store.conn)
        store.close()


def test_a_bulk_load_follows_settings_another_connection_changes_between_its_batches(tmp_path: Path) -> None:
    """The load reads the indexes' settings and triggers once, and again after another connection
    committed: a 'hashsize' set between two of its batches is the one the load leaves, and
    triggers replaced between them are the ones it puts back after each later batch."""
    store = Store(tmp_path / "data.db")
    other = sqlite3.connect(tmp_path / "data.db", isolation_level=None)
    results = store.ingest_many(bulk_workload(), batch_size=40)
    for n, _ in enumerate(results):
        if n == 45:  # the first batch committed, the second written (its results given out)
            other.execute("INSERT INTO announcements_fts (announcements_fts, rank) VALUES ('hashsize', 3000000)")
            # the same triggers, written otherwise: no longer the ones a load sets aside
            sql = dict(triggers(other))["announcements_ai"]
            other.execute("DROP TRIGGER announcements_ai")
            other.execute(sql.replace("BEGIN", "BEGIN\n "))
            replaced = triggers(other)
    assert n > 45
    assert ("hashsize", 3000000) in fts_settings(store.conn)[0]
    assert triggers(store.conn) == replaced
    fts_consistent(store.conn)
    other.close()
    store.close()


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


def rewrite_workload() -> list[AnnouncementItem]:
    """bulk_workload, then releases rewritten at their own address (their band keys replaced), each
    followed by republications of its old and new text, some in the rewrite's batch, some later."""
    items = bulk_workload()
    originals = [i for i in items if i.source == "ministry" and i.url.startswith("https://ministry.example/pm/")]
    later: list[AnnouncementItem] = []
    for n, o in enumerate(originals[:60:3]):
        other = originals[(n * 17 + 41) % len(originals)]
        rewritten = AnnouncementItem(url=o.url, source="ministry", title=o.title, body=f"Neu: {other.body}")
        old_copy = AnnouncementItem(url=f"https://old.example/{n}", source="agg", title=o.title,
                                    body=f"Bonn: {o.body} Quelle: ministry.example")
        new_copy = AnnouncementItem(url=f"https://new.example/{n}", source="agg", title=o.title,
                                    body=f"Köln: {rewritten.body} Quelle: ministry.example")
        items += [rewritten, new_copy] + ([old_copy] if n % 2 else [])
        if not n % 2:
            later.append(old_copy)
    return items + later


@pytest.mark.parametrize("batch_size", [1, 3, 16, 500])
def test_bulk_batches_of_any_size_store_what_item_by_item_ingest_stores(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int) -> None:
    """A batch's near-duplicate search (its candidates read at once, what it indexes seen by its
    later items and written at its end) finds and leaves what item-by-item ingest does: originals
    replacing their copies (keys added), rewritten texts (keys replaced), copies of either."""
    if batch_size == 500:
        monkeypatch.setattr(store_module, "_KEYS_PER_QUERY", 7)  # many candidate queries per batch
    single, bulk = ingest_both_ways(rewrite_workload(), tmp_path, batch_size)
    assert bulk == single
    found = {(getattr(r, "status", None), getattr(r, "match", None)) for r in single}
    assert {("updated", "url"), ("duplicate", "near"), ("duplicate", "text"), ("new", "origin")} <= found
    assert dataset_contents(tmp_path / "bulk.db") == dataset_contents(tmp_path / "one.db")


def test_the_preparing_process_runs_this_version_whatever_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load started in a folder holding another crawler/ (another checkout) prepares with this one."""
    other = tmp_path / "checkout" / "crawler"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("raise ImportError('another checkout')\n")
    (other / "prepare_child.py").write_text("raise SystemExit(3)\n")
    monkeypatch.chdir(other.parent)
    store = Store(tmp_path / "x.db")
    results = list(store.ingest_many(bulk_workload(), batch_size=20))  # from the second batch on: the other process
    assert len(results) == len(bulk_workload()) and store.conn.execute("SELECT count(*) FROM announcements").fetchone()[0]
    store.close()


def test_a_bulk_load_has_a_larger_page_cache_and_gives_it_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")

    def cache() -> int:
        return int(store.conn.execute("PRAGMA cache_size").fetchone()[0])

    before = cache()
    assert -before < store_module.BULK_CACHE_KIB
    load = store.ingest_many(bulk_workload(), batch_size=20)
    next(load)
    assert cache() == -store_module.BULK_CACHE_KIB
    load.close()  # a load given up halfway gives it back too
    assert cache() == before
    list(store.ingest_many(bulk_workload()[:5]))
    assert cache() == before
    store.conn.execute(f"PRAGMA cache_size = {-2 * store_module.BULK_CACHE_KIB}")  # larger already: kept
    load = store.ingest_many(bulk_workload()[:5])
    next(load)
    assert cache() == -2 * store_module.BULK_CACHE_KIB
    load.close()
    store.close()


def case_words() -> list[str]:
    return [w for p in sorted(CASES.glob("*.txt")) for w in fingerprint.normalise_text(p.read_text("utf-8"))]


def test_a_batch_index_finds_and_leaves_what_the_tables_would(tmp_path: Path) -> None:
    """Store._index and the candidate search within a batch (kept in memory, written at the end)
    against the same operations on the tables: after rows from before the batch and from the
    batch were indexed, added to (an original replacing its copy), replaced (a rewritten text)
    and deleted (a text too short), an item's candidates are those the tables give, with their
    signatures, and the tables end the same. In the batch's dataset half of the rows from
    before the batch wait in lsh_pending, as an earlier batch of the same load leaves them."""
    words = case_words()
    # Two stretches of text in overlapping windows: neighbours share band keys, the stretches none.
    first = fingerprint.signatures([words[i * 30 : i * 30 + 120] for i in range(40)], fingerprint.SCHEME_ARRAYS)
    second = fingerprint.signatures([words[3000 + i * 30 : 3000 + i * 30 + 120] for i in range(40)],
                                    fingerprint.SCHEME_ARRAYS)
    stores = [Store(tmp_path / f"{name}.db") for name in ("tables", "batch")]
    for store in stores:
        store.conn.executemany("INSERT INTO announcements (url, source, first_seen, last_seen) VALUES (?, 's', 'x', 'x')",
                               [(f"https://a.example/{n}",) for n in range(100)])
        for k in range(1, 11):  # from before the batch: announcements 1-10, between windows 9 + k and 10 + k
            store._index(k, fingerprint.signature(words[(9 + k) * 30 + 15 : (9 + k) * 30 + 135], fingerprint.SCHEME_ARRAYS))
        store.conn.execute("BEGIN")
    tables, batch = stores
    for (ann_id,) in batch.conn.execute("SELECT DISTINCT announcement_id FROM lsh_buckets WHERE announcement_id > 5"
                                        ).fetchall():
        keys = [k for (k,) in batch.conn.execute("SELECT bucket FROM lsh_buckets WHERE announcement_id = ?", (ann_id,))]
        batch.conn.execute("INSERT INTO lsh_pending (announcement_id, buckets) VALUES (?, ?)",
                           (ann_id, np.array(keys, dtype="<i8").tobytes()))
    batch.conn.execute("DELETE FROM lsh_buckets WHERE announcement_id > 5")
    pending = store_module._PendingBands()
    pending.sync(batch.conn)
    assert pending.size == 5 * fingerprint.BANDS
    order = [sig for j in range(10, 40) for sig in (first[j], second[j])]
    assert all(sig is not None for sig in order)
    index = store_module._BatchIndex(batch.conn, pending, order)  # type: ignore[arg-type]
    batch._batch = index

    def from_tables(sig: fingerprint.Signature) -> list[tuple[int, bytes]]:
        keys = sig.band_keys()
        return tables.conn.execute(
            "SELECT announcement_id, signature FROM signatures WHERE announcement_id IN (SELECT announcement_id"
            f" FROM lsh_buckets WHERE bucket IN ({','.join('?' * len(keys))})) ORDER BY 1", keys).fetchall()

    found, holder, new_id = 0, 1, 10  # holder: the announcement holding the last window of the first stretch
    for n, sig in enumerate(order):
        assert sig is not None
        expected = from_tables(sig)
        assert [(a, other.to_bytes()) for a, other in index.candidates(sig)] == expected, n
        found += len(expected)
        # What ingest does after the search, with the item's signature: a new announcement, an
        # original's text added to an earlier one, a rewritten text replacing one or a text too
        # short deleting its keys (of one whose keys the next item of the first stretch shares).
        j, other_stretch = 10 + n // 2, n % 2
        if not other_stretch and j % 3 == 1:
            op: tuple[int, fingerprint.Signature | None, bool] = (holder, sig, False)
        elif other_stretch and j < 20:  # an announcement from before the batch, near the next item
            op = (j - 9, sig if j % 2 else None, True)
        elif not other_stretch or j % 4 == 3:
            new_id += 1
            op = (new_id, sig, False)
        else:
            op = (holder, sig if j % 4 != 0 else None, True)
        for store in stores:
            store._index(*op[:2], replace=op[2])
        if not other_stretch:
            holder = op[0]
    assert found > 30
    index.flush()
    # The load's copy of lsh_pending holds what the table holds.
    waiting = {(key, ann_id) for ann_id, blob in batch.conn.execute("SELECT announcement_id, buckets FROM lsh_pending")
               for key in np.frombuffer(blob, dtype="<i8").tolist()}
    keys = np.array(sorted({key for key, _ in waiting}), dtype=np.int64)
    assert {(key, a) for key, owners in pending.lookup(keys).items() for a in owners} == waiting
    store_module._merge_pending(batch.conn)
    for store in stores:
        store.conn.execute("COMMIT")
        store.close()
    assert dataset_contents(tmp_path / "batch.db")[3:] == dataset_contents(tmp_path / "tables.db")[3:]


@pytest.mark.parametrize("scheme", fingerprint.SCHEMES)
def test_prepared_batches_cross_to_the_other_process_whole(scheme: int) -> None:
    """What the preparing process gets (the items' fields) and sends back (no texts: addresses,
    hashes, cleaned fields where cleaning changed them, signatures packed into two buffers)
    arrives as prepared, the items cleaned in place as ingest cleans them."""
    import pickle

    items = bulk_workload() + [AnnouncementItem(url=f"https://short.example/{n}", source="s", title="Kurz",
                                                body="Zu kurz für einen Vergleich.") for n in range(3)]
    items += [AnnouncementItem(url="https://dirty.example/1", source="s", title="Ein\u202e  Titel\x1b",
                               body="Text\u200b mit\x07 Steuerzeichen " * 30, author="A\x00B", descriptor=" D ",
                               language="de\u200e", tags=["x\x1by", "ok"])]
    expected = store_module.prepare_items(copy.deepcopy(items), scheme, compact=True)
    sent = pickle.loads(pickle.dumps([store_module.item_fields(item) for item in items]))
    packed = pickle.loads(pickle.dumps(store_module.prepare_fields(sent, scheme)))
    # The texts stay where they are: only the one item that cleaning changed comes back with its fields.
    assert [n for n, a in enumerate(packed[0]) if isinstance(a, tuple) and a[2] is not None] == [len(items) - 1]
    mine = copy.deepcopy(items)
    arrived, keys = store_module.unpack_prepared(mine, packed, scheme)
    assert len(arrived) == len(expected)
    assert sum(isinstance(p, store_module.Prepared) and p.sig is None for p in expected) == 3  # too short
    signed = [p.sig for p in arrived if isinstance(p, store_module.Prepared) and p.sig is not None]
    assert keys.tolist() == [list(sig.band_keys()) for sig in signed]
    assert mine[-1].body.startswith("Text mit Steuerzeichen") and mine[-1].tags == ["xy", "ok"]
    for got, want, item in zip(arrived, expected, mine, strict=True):
        if isinstance(want, BadItem):
            assert isinstance(got, BadItem) and str(got) == str(want)
            continue
        assert isinstance(got, store_module.Prepared)
        assert got.item is item
        assert (got.url, got.digest, got.item, got.signed, got.scheme) == (want.url, want.digest, want.item, True, scheme)
        assert got.normalised_body() == fingerprint.normalise_text(want.item.body)
        if want.sig is None:
            assert got.sig is None
        else:
            assert got.sig is not None and np.array_equal(got.sig.hashvalues, want.sig.hashvalues)
            assert got.sig.band_keys() == want.sig.band_keys() and got.sig.scheme == want.sig.scheme == scheme
            assert got.sig.to_bytes() == want.sig.to_bytes()


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


def test_scheme_2_signatures_do_not_depend_on_the_word_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache of word hashes, emptied when full, also in the middle of a batch's words (it once
    lost words it had just hashed and failed with KeyError), gives the values it would give empty."""
    words = case_words()
    texts = [words[i * 300 : i * 300 + 400] for i in range(12)]
    expected = [s.to_bytes() for s in fingerprint.signatures(texts, fingerprint.SCHEME_ARRAYS)]  # type: ignore[union-attr]
    monkeypatch.setattr(fingerprint, "_WORD_CACHE_MAX", 50)
    fingerprint._WORD_HASHES.clear()
    got = [s.to_bytes() for s in fingerprint.signatures(texts, fingerprint.SCHEME_ARRAYS)]  # type: ignore[union-attr]
    assert got == expected
    assert len(fingerprint._WORD_HASHES) <= 50
    fingerprint._WORD_HASHES.clear()


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


def band_keys(conn: sqlite3.Connection) -> tuple[int, int]:
    """Rows of lsh_buckets and of lsh_pending."""
    return (conn.execute("SELECT count(*) FROM lsh_buckets").fetchone()[0],
            conn.execute("SELECT coalesce(sum(length(buckets)) / 8, 0) FROM lsh_pending").fetchone()[0])


def test_a_load_merges_its_band_keys_when_enough_have_gathered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """A bulk load keeps its band keys in lsh_pending (appended by announcement) and merges them into
    lsh_buckets (by key) when BULK_PENDING_BANDS have gathered and at its end: the results and the
    tables are still those of item-by-item ingest."""
    monkeypatch.setattr(store_module, "BULK_PENDING_BANDS", 10 * fingerprint.BANDS)
    items = bulk_workload()
    single, _ = ingest_both_ways(items, tmp_path, 30)
    store = Store(tmp_path / "watched.db", aggregators=["agg"])
    seen: list[tuple[int, int]] = []
    bulk = []
    for n, result in enumerate(store.ingest_many(copy.deepcopy(items), batch_size=8), 1):
        bulk.append(result if not isinstance(result, BadItem) else str(result))
        if n % 8 == 0:
            seen.append(band_keys(store.conn))
    assert bulk == single
    # Merged along the way (keys in lsh_buckets while the load went on), some waiting between merges.
    assert any(merged and waiting for merged, waiting in seen[:-1])
    assert band_keys(store.conn)[1] == 0
    store.close()
    assert dataset_contents(tmp_path / "watched.db") == dataset_contents(tmp_path / "one.db")


def test_an_item_ingested_between_two_batches_sees_the_loads_band_keys_and_the_load_sees_its(
        tmp_path: Path) -> None:
    """Another connection ingests item by item while a bulk load waits between two batches: the
    item finds a near duplicate among the load's announcements (their band keys still in
    lsh_pending), and the load's later copy of that item finds it. All as one item-by-item ingest of
    the same sequence."""
    items = bulk_workload()
    words = case_words()
    newcomer = AnnouncementItem(url="https://other.example/news/1", source="other", title="Neu",
                                body=" ".join(words[7000:7180]), published="2023-05-04")
    copy_of_newcomer = AnnouncementItem(url="https://agg.example/?p=newcomer", source="agg", title="Neu",
                                        body=f"Berlin: {newcomer.body} Quelle: other.example")
    first = next(i for i in items[:50] if i.source == "ministry")
    copy_of_first = AnnouncementItem(url="https://agg.example/?p=first", source="agg", title=first.title,
                                     body=f"Hamburg: {first.body} Quelle: ministry.example")
    between = [copy_of_first, newcomer]
    load = items[:50] + items[50:80] + [copy_of_newcomer] + items[80:]

    one = Store(tmp_path / "one.db", aggregators=["agg"])
    expected = []
    for item in copy.deepcopy(load[:50] + between + load[50:]):
        try:
            expected.append(one.ingest(item))
        except BadItem as exc:
            expected.append(str(exc))  # type: ignore[arg-type]
    one.close()

    bulk_store = Store(tmp_path / "bulk.db", aggregators=["agg"])
    other = Store(tmp_path / "bulk.db", aggregators=["agg"])
    got: list[object] = []
    for result in bulk_store.ingest_many(copy.deepcopy(load), batch_size=25):
        got.append(result if not isinstance(result, BadItem) else str(result))
        if len(got) == 50:  # two batches written, the load waiting for the caller
            assert band_keys(other.conn)[1] > 0
            got.extend(other.ingest(item) for item in copy.deepcopy(between))
            assert band_keys(other.conn)[1] == 0  # merged by the other connection first
    other.close()
    bulk_store.close()
    assert got == expected
    assert [(r.status, r.match) for r in got[50:52]] == [("duplicate", "near"), ("new", "origin")]  # type: ignore[union-attr]
    assert (got[50 + 2 + 30].status, got[50 + 2 + 30].match) == ("duplicate", "near")  # type: ignore[union-attr]
    assert dataset_contents(tmp_path / "bulk.db") == dataset_contents(tmp_path / "one.db")


def replaced_text_case() -> tuple[str, str, str]:
    """Three texts: t1, and t2 that replaces it at the same address, and q, near t1 (sharing band
    keys) and near t2 by similarity but sharing none of t2's band keys: q finds t1's announcement
    only through t1's old keys, which the replacement deletes."""
    import random

    rng = random.Random(1322)
    vocab = [f"wort{n}" for n in range(5000)]
    t2 = [rng.choice(vocab) for _ in range(200)]
    q = list(t2)
    for _ in range(rng.randint(6, 14)):
        at = rng.randrange(200)
        q[at] = rng.choice(vocab)
    return " ".join(q + ["zusatzwort"]), " ".join(t2), " ".join(q)


def test_an_ingest_on_the_loads_own_store_between_batches_is_seen_by_the_load(tmp_path: Path) -> None:
    """The load's own connection ingests between two of its batches: the merge that ingest makes
    first, and the replaced text's deleted keys, are seen by the load's next batch (PRAGMA
    data_version does not tell a connection of its own changes)."""
    t1, t2, q = replaced_text_case()
    sig = {name: store_module.prepare_item(AnnouncementItem(url="https://x.example/", source="s", title="Titel",
                                                            body=body), fingerprint.SCHEME_ARRAYS).signature()
           for name, body in (("t1", t1), ("t2", t2), ("q", q))}
    assert sig["t2"] is not None and sig["q"] is not None and sig["t1"] is not None
    assert sig["t2"].similarity(sig["q"]) >= fingerprint.NEAR_THRESHOLD
    assert not set(sig["t2"].band_keys()) & set(sig["q"].band_keys())
    assert set(sig["t1"].band_keys()) & set(sig["q"].band_keys())

    def items() -> dict[str, AnnouncementItem]:
        return {"p1": AnnouncementItem(url="https://min.example/p", source="min", title="Titel", body=t1),
                "p2": AnnouncementItem(url="https://min.example/p", source="min", title="Titel", body=t2),
                "q": AnnouncementItem(url="https://other.example/q", source="other", title="Titel", body=q)}

    one = Store(tmp_path / "one.db")
    expected = [one.ingest(items()[name]) for name in ("p1", "p2", "q")]
    one.close()
    store = Store(tmp_path / "bulk.db")
    got: list[object] = []
    made = items()
    for result in store.ingest_many([made["p1"], made["q"]], batch_size=1):
        got.append(result)
        if len(got) == 1:
            got.append(store.ingest(made["p2"]))  # the same Store, between the load's batches
    store.close()
    assert [(r.status, r.match) for r in expected] == [("new", "origin"), ("updated", "url"), ("new", "origin")]
    assert got == expected
    assert dataset_contents(tmp_path / "bulk.db") == dataset_contents(tmp_path / "one.db")


def test_a_dataset_a_newer_version_migrated_is_refused_in_one_line(tmp_path: Path) -> None:
    """An older clusterwatch writing a dataset a newer one migrated would ignore what the newer
    one keeps (band keys waiting in lsh_pending): it refuses, naming the dataset and migration."""
    Store(tmp_path / "x.db").close()
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('clusterwatch.crawler', '0099_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as refused:
        Store(tmp_path / "x.db")
    message = str(refused.value)
    assert "\n" not in message and str(tmp_path / "x.db") in message and "0099_from_the_future" in message
    assert "upgrade clusterwatch" in message



def keys_listed_and_stored(path: Path) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Per announcement: the band keys its signature row lists, and those lsh_buckets holds."""
    conn = sqlite3.connect(path)
    listed = {ann_id: set(np.frombuffer(blob, dtype="<i8").tolist())
              for ann_id, blob in conn.execute("SELECT announcement_id, buckets FROM signatures")}
    stored: dict[int, set[int]] = {}
    for bucket, ann_id in conn.execute("SELECT bucket, announcement_id FROM lsh_buckets"):
        stored.setdefault(ann_id, set()).add(bucket)
    conn.close()
    return listed, stored


@pytest.mark.parametrize("batch_size", [1, 3, 500])
def test_each_signature_lists_the_band_keys_its_announcement_has(tmp_path: Path, batch_size: int) -> None:
    """A replaced text's band keys are deleted by the keys its signature row lists (migration 0013),
    not by reading all of lsh_buckets (0.33 s a text at 300,000 announcements): the list must be
    exactly what lsh_buckets holds, after new texts, promoted copies (their keys added) and texts
    replaced at their own address, item by item and in bulk."""
    workload = bulk_workload()
    assert any(getattr(r, "status", None) == "updated" for r in ingest_both_ways(workload, tmp_path, batch_size)[0])
    for name in ("one.db", "bulk.db"):
        listed, stored = keys_listed_and_stored(tmp_path / name)
        assert stored and {a: k for a, k in listed.items() if k} == stored


def test_a_revised_text_drops_its_band_keys_without_reading_all_of_them(tmp_path: Path) -> None:
    """A dataset from before migration 0013 gets each signature's list of band keys (from lsh_buckets
    and from a killed load's lsh_pending); a revised text then drops its keys by those, item by item
    and in bulk."""
    path = tmp_path / "x.db"
    store = Store(path)
    items = bulk_workload()
    for item in copy.deepcopy(items[:40]):
        try:
            store.ingest(item)
        except BadItem:
            pass
    # A killed load's band keys, waiting.
    load = store.ingest_many(copy.deepcopy(items[40:80]), batch_size=10)
    next(load)
    load.close()
    assert store.conn.execute("SELECT count(*) FROM lsh_pending").fetchone()[0]
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE signatures DROP COLUMN buckets")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0013_band_keys_by_announcement'")
    conn.commit()
    conn.close()
    store = Store(path)  # migrates
    with immediate(store.conn):
        store._settle_pending()
    store.close()
    listed, stored = keys_listed_and_stored(path)
    assert stored and {a: k for a, k in listed.items() if k} == stored
    original = items[0]
    revised = copy.deepcopy(original)
    revised.body += "\n\nAktualisiert: Die Angaben wurden um einen Absatz ergänzt, der vorher fehlte."
    for bulk in (False, True):
        store = Store(path)
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        results = list(store.ingest_many([copy.deepcopy(revised)])) if bulk else [store.ingest(copy.deepcopy(revised))]
        assert [r.status for r in results] == ["updated"]  # type: ignore[union-attr]
        assert not [s for s in statements if "DELETE FROM lsh_buckets WHERE announcement_id" in s]
        store.close()
        listed, stored = keys_listed_and_stored(path)
        assert {a: k for a, k in listed.items() if k} == stored
        revised.body += " Und noch einmal."
