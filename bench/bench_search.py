"""Search benchmark: p50/p95 of `crawler.search.search` for a fixed list of queries, and the
dataset's size against its text's, on a dataset of generated German releases.

    python bench/bench_search.py --size 100000 --db /tmp/search100k.db     # builds it once (minutes)
    python bench/bench_search.py --size 1000000 --db /tmp/search1m.db      # about 10-20 minutes to build

The dataset is built with the schema clusterwatch creates (`Store`, all migrations) and rows
inserted directly, so that the indexes are maintained by the same triggers as in a crawl; the
deduplication is left out (it is not what is measured here: bench/bench_ingest.py measures it).
An existing file at --db of the right size is reused. The queries: two common words, two words
together, a rare word (one of the index's words found in 3-10 releases), a fragment found only
inside compounds, a phrase; each run --repeat times after one warm-up. Then Datasette's canned
search (data/metadata.yml) for prefix queries and plain words.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from german import Generator  # noqa: E402

from crawler.search import search  # noqa: E402
from crawler.store import Store, connect_readonly  # noqa: E402

QUERIES = ["Mitglied", "cluster", "Wasserstoff Netzwerk", "{rare}", "stoffnetz", '"regionale Innovation"']


def build(path: Path, size: int) -> None:
    store = Store(path)
    have = store.conn.execute("SELECT count(*) FROM announcements").fetchone()[0]
    if have >= size:
        store.close()
        return
    print(f"building {size} announcements in {path} (from {have}) ...", flush=True)
    started = time.monotonic()
    gen = Generator(seed=5)
    batch: list[tuple] = []

    def flush() -> None:
        store.conn.execute("BEGIN")
        store.conn.executemany(
            "INSERT INTO announcements (url, title, published, source, body, text_kind, first_seen, last_seen)"
            " VALUES (?,?,?,?,?,'full','2026-01-01','2026-01-01')", batch)
        store.conn.execute("COMMIT")
        batch.clear()

    for i, item in enumerate(gen.items(size - have, start=have), start=have):
        batch.append((item.url, item.title, item.published, f"source{i % 300}", item.body))
        if len(batch) >= 2000:
            flush()
        if i and i % 50_000 == 0:
            rate = (i - have) / (time.monotonic() - started)
            print(f"  {i} ({rate:.0f}/s)", flush=True)
    if batch:
        flush()
    store.conn.execute("INSERT INTO announcements_fts(announcements_fts) VALUES ('optimize')")
    store.conn.execute("INSERT INTO announcements_fts_fragments(announcements_fts_fragments) VALUES ('optimize')")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("ANALYZE")
    store.close()
    print(f"built in {time.monotonic() - started:.0f} s", flush=True)


def rare_word(path: Path) -> str:
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, announcements_fts, row)")
    term = conn.execute("SELECT term FROM temp.vocab WHERE doc BETWEEN 3 AND 10 AND length(term) > 8"
                        " ORDER BY term LIMIT 1 OFFSET 100").fetchone()[0]
    conn.close()
    return str(term)


CANNED_QUERIES = ["Mitglied*", "Netz*", "Wasser* Netzwerk", '"go-cluster" Mitglied*', "cluster", "Wasserstoff Netzwerk"]


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def canned(conn: sqlite3.Connection, repeat: int) -> None:
    """Datasette's canned search (data/metadata.yml, search_announcements), as Datasette runs it."""
    import yaml  # comes with Datasette (the web extra)

    from crawler.resources import data_file

    metadata = yaml.safe_load(data_file("metadata.yml").read_text(encoding="utf-8"))
    sql = metadata["databases"]["clusterwatch"]["queries"]["search_announcements"]["sql"]
    print(f"{'canned search':<26} {'hits':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for q in CANNED_QUERIES:
        hits = conn.execute(sql, {"q": q}).fetchall()  # warm-up
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            conn.execute(sql, {"q": q}).fetchall()
            times.append((time.perf_counter() - t) * 1000)
        p50, p95 = percentiles(times)
        print(f"{q:<26} {len(hits):>5} {p50:>8.1f} {p95:>8.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/clusterwatch-search-bench.db"))
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    build(args.db, args.size)
    conn = connect_readonly(args.db)
    count = conn.execute("SELECT count(*) FROM announcements").fetchone()[0]
    text = conn.execute("SELECT sum(length(CAST(body AS BLOB)) + coalesce(length(CAST(title AS BLOB)), 0))"
                        " FROM announcements").fetchone()[0]
    size = os.path.getsize(args.db)
    print(f"dataset: {count} announcements, {size / 1e9:.2f} GB; text {text / 1e9:.2f} GB; "
          f"size/text {size / text:.2f}")
    rare = rare_word(args.db)
    print(f"{'query':<26} {'hits':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for q in QUERIES:
        q = q.format(rare=rare)
        hits = search(conn, q)  # warm-up
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            search(conn, q)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{q:<26} {len(hits):>5} {statistics.median(times):>8.1f} {p95:>8.1f}")
    canned(conn, args.repeat)
    conn.close()
    # The command as a user runs it: start-up included.
    walls = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "monitor", "--db", str(args.db), "search", "cluster"],
                       capture_output=True, check=True)
        walls.append(time.perf_counter() - t)
    print(f"clusterwatch search cluster: median {statistics.median(walls):.2f} s (5 runs)")


if __name__ == "__main__":
    main()
