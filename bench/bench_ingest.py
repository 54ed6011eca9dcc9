"""Ingest benchmark: item-by-item (`Store.ingest`, one transaction per item) beside bulk
(`Store.ingest_many`, one per batch) on the same items, side by side in one run.

    python bench/bench_ingest.py                 # 10,000 releases (about 12,000 items), 3 runs
    python bench/bench_ingest.py --items 100000 --runs 1
    python bench/bench_ingest.py --band-keys-of 300000   # onto the near-duplicate index of a larger dataset
    python bench/bench_ingest.py --prefill 300000 --bulk-only  # onto a dataset of 300,000 real announcements

The items are generated German releases (bench/german.py) with what a backfill brings: 10 %
republications at another address (a dateline and a source line added: near duplicates), 5 % the
same text at another address, 5 % a re-crawl of an address already seen. Both runs must give the
same result per item; the benchmark says so, or fails.
"""

from __future__ import annotations

import argparse
import copy
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from german import Generator  # noqa: E402

from crawler.items import AnnouncementItem  # noqa: E402
from crawler.store import BULK_BATCH, Store, immediate  # noqa: E402


def workload(n: int, seed: int = 11, revisions: float = 0.0) -> list[AnnouncementItem]:
    """``revisions``: the share of items that are an earlier release again at its own address,
    revised (a sentence added): each replaces its announcement's text and band keys."""
    rng = random.Random(seed)
    originals = list(Generator(seed).items(n))
    out: list[AnnouncementItem] = []
    for i, item in enumerate(originals):
        out.append(item)
        roll = rng.random()
        if i and roll < 0.10:
            src = originals[rng.randrange(i)]
            out.append(AnnouncementItem(url=f"https://aggregator.example/?p={i}", source="aggregator",
                                        title=src.title, body=f"Berlin: {src.body}\n\nQuelle: bmwe.de",
                                        published=src.published))
        elif i and roll < 0.15:
            src = originals[rng.randrange(i)]
            out.append(AnnouncementItem(url=f"https://mirror.example/{i}", source="mirror", title=src.title,
                                        body=src.body, published=src.published))
        elif i and roll < 0.20:
            out.append(copy.deepcopy(originals[rng.randrange(i)]))
        elif i and roll < 0.20 + revisions:
            revised = copy.deepcopy(originals[rng.randrange(i)])
            revised.body += f"\n\nAktualisiert am {i % 28 + 1}. des Monats: Die Angaben wurden ergänzt."
            out.append(revised)
    return out


def prefill_band_keys(store: Store, announcements: int) -> None:
    """Random band keys of that many announcements (ids far above the load's) in lsh_buckets: the
    near-duplicate index a dataset of that size has, which every batch of a load writes into. The
    rest of the dataset stays empty (its full-text indexes grow with the load only)."""
    import numpy as np

    if not announcements:
        return
    rng = np.random.default_rng(5)
    keys = rng.integers(-2**63, 2**63 - 1, size=announcements * 32, dtype=np.int64)
    owners = np.repeat(np.arange(10**9, 10**9 + announcements, dtype=np.int64), 32)
    order = np.lexsort((owners, keys))
    with immediate(store.conn):
        store.conn.executemany("INSERT INTO lsh_buckets (bucket, announcement_id) VALUES (?, ?)",
                               zip(keys[order].tolist(), owners[order].tolist(), strict=True))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def prefilled(path: Path, releases: int) -> Path:
    """A dataset of that many other releases and their copies (other addresses, another seed),
    loaded in bulk: what a dataset of that size holds (rows, full-text indexes, band keys, the
    indexes of addresses and hashes). Kept at ``path`` and used again when it has as many
    announcements (building one of 300,000 takes minutes)."""
    if path.exists():
        store = Store(path)
        found = store.conn.execute("SELECT count(*) FROM announcements").fetchone()[0]
        store.close()
        if found == releases:
            return path
        path.unlink()
    print(f"prefilling {path} with {releases} releases ...", flush=True)
    items = workload(releases, seed=99)
    for item in items:
        item.url = item.url.replace("https://", "https://prefill.", 1)
    store = Store(path)
    for _ in store.ingest_many(items):
        pass
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


def new_store(path: Path, band_keys_of: int, template: Path | None) -> Store:
    if template is not None:
        shutil.copyfile(template, path)
    store = Store(path)
    prefill_band_keys(store, band_keys_of)
    return store


def one_run(items: list[AnnouncementItem], batch: int, tmp: Path, n: int, band_keys_of: int = 0,
            template: Path | None = None, bulk_only: bool = False) -> tuple[float | None, float, bool]:
    """Item-by-item, then bulk, each on a new dataset (or a copy of ``template``): (items/s,
    items/s, same results); item by item None with ``bulk_only``."""
    bulk_items = copy.deepcopy(items)
    single: list = []
    t_single = None
    if not bulk_only:
        one = new_store(tmp / f"one{n}.db", band_keys_of, template)
        single_items = copy.deepcopy(items)
        t = time.perf_counter()
        single = [one.ingest(item) for item in single_items]
        t_single = time.perf_counter() - t
        one.close()
    bulk_store = new_store(tmp / f"bulk{n}.db", band_keys_of, template)
    t = time.perf_counter()
    bulk = list(bulk_store.ingest_many(bulk_items, batch_size=batch))
    t_bulk = time.perf_counter() - t
    bulk_store.close()
    same = bulk_only or [(r.status, r.announcement_id, r.match) for r in single] == \
        [(r.status, r.announcement_id, r.match) for r in bulk]  # type: ignore[union-attr]
    if n == 0:
        statuses = {s: sum(r.status == s for r in bulk) for s in ("new", "duplicate", "unchanged", "updated")}  # type: ignore[union-attr]
        print(f"results: {statuses}")
    return None if t_single is None else len(items) / t_single, len(items) / t_bulk, same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000, help="distinct releases (more items with the copies)")
    parser.add_argument("--batch", type=int, default=BULK_BATCH)
    parser.add_argument("--runs", type=int, default=3, help="runs of both, side by side; medians printed")
    parser.add_argument("--band-keys-of", type=int, default=0, metavar="N",
                        help="load onto the near-duplicate index (random band keys) of N announcements")
    parser.add_argument("--prefill", type=int, default=0, metavar="N",
                        help="load onto a dataset of N other releases (real rows, full-text indexes and band keys)")
    parser.add_argument("--prefill-file", type=Path, metavar="PATH",
                        help="where that dataset is kept between runs of the bench (default: a temporary folder)")
    parser.add_argument("--revisions", type=float, default=0.0, metavar="SHARE",
                        help="also this share of items revised at their own address (0.01: 1 %%)")
    parser.add_argument("--bulk-only", action="store_true", help="bulk ingest only (no item-by-item run to compare)")
    args = parser.parse_args()
    items = workload(args.items, revisions=args.revisions)
    print(f"{len(items)} items ({args.items} releases and their copies), "
          f"{sum(len(i.body) for i in items) / len(items):.0f} characters each on average")
    singles: list[float] = []
    bulks: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        template = None
        if args.prefill:
            template = prefilled(args.prefill_file or Path(tmp) / "prefill.db", args.prefill)
        for n in range(args.runs):
            single, bulk, same = one_run(items, args.batch, Path(tmp), n, args.band_keys_of, template, args.bulk_only)
            if single is None:
                print(f"run {n + 1}: bulk ({args.batch}/tx) {bulk:6.0f} items/s", flush=True)
            else:
                print(f"run {n + 1}: item-by-item {single:6.0f} items/s, bulk ({args.batch}/tx) {bulk:6.0f} items/s, "
                      f"x{bulk / single:.2f}; identical results: {same}", flush=True)
                singles.append(single)
            if not same:
                sys.exit("bulk ingest gave another result than item-by-item ingest")
            bulks.append(bulk)
            for f in Path(tmp).glob("[ob]*.db*"):
                f.unlink()
    b = statistics.median(bulks)
    if singles:
        s = statistics.median(singles)
        print(f"median of {args.runs}: item-by-item {s:.0f} items/s, bulk {b:.0f} items/s, x{b / s:.2f}")
    else:
        print(f"median of {args.runs}: bulk {b:.0f} items/s")


if __name__ == "__main__":
    main()
