"""Crawl benchmark: the backfill of a large GSB replica against `scrapy bench`, and the re-crawl.

    python bench/bench_crawl.py                    # 10,000 articles (3-5 minutes on 2 cores)
    python bench/bench_crawl.py --articles 2000    # quicker
    python bench/bench_crawl.py --profile 1500     # also cProfile a crawl of 1,500 pages

One run:
1. generates a Government Site Builder replica (bench/large_site.py) in a temporary folder and
   serves it with monitor.replica.SiteServer on 127.0.0.1;
2. measures what that server can deliver on its own (keep-alive clients in threads), so a slow
   server is not mistaken for a slow crawler;
3. runs the backfill through the real command line (`python -m monitor --config CFG crawl
   --json`, a child process) with every pipeline on: extraction, dates, dedup, the store;
4. runs `scrapy bench` on the same machine, before and after the backfill, and reports
   clusterwatch pages/s ÷ scrapy-bench pages/s (the mean of the two);
5. runs the incremental re-crawl of the unchanged site: its requests (counted by the server) and
   its time as fractions of the backfill's.

Pages per second is pages fetched by the crawl ÷ the time between the first and the last request
the server saw (process start-up and the final database work excluded; the wall time including
them is printed too). The listing pages count as pages, as Scrapy counts every response.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pstats
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.large_site import LISTING_PATH, generate_site  # noqa: E402
from monitor.replica import SiteServer  # noqa: E402

# The brief's loopback settings: no delay, no throttling, 16 requests in flight (Scrapy's own
# default, which `scrapy bench` uses), no retries, no page cap.
LOOPBACK_CRAWLER = {
    "download_delay": 0, "autothrottle": False, "concurrent_per_domain": 16,
    "max_pages": 1_000_000, "retries": 0, "timeout": 30, "log_level": "WARNING",
    "allow_private_addresses": True,  # the generated site is served on loopback
}
_LOGSTATS = re.compile(r"Crawled (\d+) pages \(at (\d+) pages/min\)")


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and why."""


class TimedSiteServer(SiteServer):
    """SiteServer that also notes when the first and the last request arrived."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.first: float | None = None
        self.last: float | None = None

    def reset_log(self) -> None:
        super().reset_log()
        self.first = self.last = None

    def _handle(self, h: Any, *, head: bool) -> None:
        now = time.perf_counter()
        if self.first is None:
            self.first = now
        super()._handle(h, head=head)
        self.last = time.perf_counter()

    def span(self) -> float:
        if self.first is None or self.last is None:
            return 0.0
        return self.last - self.first


@dataclass
class CrawlResult:
    run: dict[str, Any]
    requests: int
    span: float  # first to last request seen by the server
    wall: float  # child process start to exit
    paths: list[str]

    @property
    def pages_per_second(self) -> float:
        return self.run["pages"] / self.span if self.span else 0.0


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def write_config(path: Path, url: str, listing_pages: int, *, database: str = "bench.db",
                 max_pages: int | None = None) -> Path:
    crawler = dict(LOOPBACK_CRAWLER)
    if max_pages:
        # Crawler-wide: at HEAD a source's own max_pages loses to this setting's "cmdline"
        # priority in crawler/runner.py, so only this cap is sure to take effect.
        crawler["max_pages"] = max_pages
    lines = [f"database = {toml_value(database)}", "", "[crawler]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in crawler.items()]
    lines += ["", "[[sources]]", 'name = "bench-gsb"', 'kind = "gsb"', f"url = {toml_value(url + LISTING_PATH)}",
              # The default (500) would stop a 10,000-article backfill half-way.
              f"max_listing_pages = {listing_pages + 10}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_crawl(server: TimedSiteServer, config: Path, *, profile: Path | None = None) -> CrawlResult:
    server.reset_log()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    prefix = [sys.executable] + (["-m", "cProfile", "-o", str(profile)] if profile else [])
    start = time.perf_counter()
    proc = subprocess.run([*prefix, "-m", "monitor", "--config", str(config), "crawl", "--json"],
                          capture_output=True, text=True, cwd=config.parent, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchError(f"crawl exited {proc.returncode}: {proc.stderr[-2000:]}")
    try:
        runs = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise BenchError(f"crawl printed no JSON: {proc.stdout[-1000:]} {proc.stderr[-1000:]}") from None
    return CrawlResult(runs[0], len(server.requests), server.span(), wall, server.paths())


def server_capacity(server: SiteServer, paths: list[str], seconds: float = 4.0, threads: int = 16) -> float:
    """Responses per second the server delivers to keep-alive clients in threads (a lower bound:
    the clients share the same cores and the same GIL)."""
    stop = time.perf_counter() + seconds
    counts = [0] * threads

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        i = n
        while time.perf_counter() < stop:
            conn.request("GET", paths[i % len(paths)])
            conn.getresponse().read()
            counts[n] += 1
            i += threads

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - start)


def scrapy_bench(seconds: int) -> tuple[float, list[int]]:
    """Pages per second of `scrapy bench` (mean of its per-second log lines after the first)."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "bench", "-s", "LOGSTATS_INTERVAL=1",
             "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
            capture_output=True, text=True, cwd=tmp, timeout=seconds + 120,
        )
    found = [(int(n), int(rate)) for n, rate in _LOGSTATS.findall(proc.stderr + proc.stdout)]
    if len(found) < 3:
        raise BenchError(f"scrapy bench printed no rates (exit {proc.returncode}): {proc.stderr[-1500:]}")
    counts = [n for n, _ in found]
    # The first line is printed at start (0 pages); the interval is one second.
    intervals = len(found) - 1
    return (counts[-1] - counts[0]) / intervals, [rate for _, rate in found[1:]]


def profile_summary(path: Path, top: int = 25) -> str:
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    groups: dict[str, float] = {}
    for (filename, _, _), (_, _, tt, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        groups[_group(filename)] = groups.get(_group(filename), 0.0) + tt
    lines = [f"  own time by package (total {total:.1f} s of profiled CPU):"]
    for name, tt in sorted(groups.items(), key=lambda kv: -kv[1])[:14]:
        lines.append(f"    {tt / total:6.1%}  {name}")
    lines.append("  top functions, own time:")
    for (filename, line, func), (_, _, tt, _, _) in sorted(
            stats.stats.items(), key=lambda kv: -kv[1][2])[:15]:  # type: ignore[attr-defined]
        rel = filename.split("site-packages/")[-1].split(str(ROOT) + "/")[-1]
        lines.append(f"    {tt / total:6.1%}  {rel}:{line} {func}")
    lines.append("  clusterwatch functions, cumulative time:")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])  # type: ignore[attr-defined]
    shown = 0
    for (filename, line, func), (_, _, tt, ct, _) in rows:
        if "crawler/" not in filename or shown >= top:
            continue
        shown += 1
        rel = filename.split(str(ROOT) + "/")[-1]
        lines.append(f"    {ct / total:6.1%} cum {tt / total:6.1%} own  {rel}:{line} {func}")
    return "\n".join(lines)


def _group(filename: str) -> str:
    if str(ROOT / "crawler") in filename:
        return "clusterwatch crawler/ (own code)"
    m = re.search(r"site-packages/([A-Za-z0-9_]+)", filename)
    if m:
        return m.group(1)
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins / C functions (sqlite3, lxml, re, hashing…)"
    return "python stdlib"


def count_rows(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM announcements").fetchone()[0]
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--scrapy-seconds", type=int, default=20, help="CLOSESPIDER_TIMEOUT for scrapy bench")
    parser.add_argument("--profile", type=int, default=0, metavar="PAGES",
                        help="also cProfile a fresh crawl capped at PAGES pages and list the top costs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (site, config, dataset)")
    args = parser.parse_args()

    # Other work on the machine slows both crawls; the ratio is only fair if the load was steady.
    load_at_start = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="bench_crawl_"))
    print(f"work folder: {tmp}", flush=True)
    t = time.perf_counter()
    articles = generate_site(tmp / "site", args.articles, per_page=args.per_page)
    listing_pages = -(-len(articles) // args.per_page)
    print(f"generated {len(articles)} articles, {listing_pages} listing pages in {time.perf_counter() - t:.1f} s",
          flush=True)
    server = TimedSiteServer(tmp / "site").start()
    try:
        sample = [a.path for a in articles[:2000]]
        capacity = server_capacity(server, sample)
        print(f"SiteServer alone: {capacity:.0f} responses/s", flush=True)

        # scrapy bench before and after the backfill: on a shared machine the load changes, and
        # the mean of the two brackets the crawl better than one run would.
        before_rate, before_rates = scrapy_bench(args.scrapy_seconds)
        loads = [os.getloadavg()[0]]
        print(f"scrapy bench (before): {before_rate:.1f} pages/s", flush=True)
        config = write_config(tmp / "bench.toml", server.url, listing_pages)
        first = run_crawl(server, config)
        loads.append(os.getloadavg()[0])
        print(f"backfill: {first.run['pages']} pages in {first.span:.1f} s", flush=True)
        stored = count_rows(tmp / "bench.db")

        second = run_crawl(server, config)
        print(f"re-crawl: {second.requests} requests in {second.wall:.1f} s", flush=True)

        after_rate, after_rates = scrapy_bench(args.scrapy_seconds)
        loads.append(os.getloadavg()[0])
        print(f"scrapy bench (after): {after_rate:.1f} pages/s", flush=True)
        scrapy_rate = (before_rate + after_rate) / 2
        scrapy_rates = before_rates + after_rates

        profile_text = ""
        if args.profile:
            prof = tmp / "crawl.prof"
            pconfig = write_config(tmp / "profile.toml", server.url, listing_pages, database="profile.db",
                                   max_pages=args.profile)
            profiled = run_crawl(server, pconfig, profile=prof)
            profile_text = (f"\nprofile of a fresh crawl capped at {args.profile} pages "
                            f"({profiled.run['pages']} pages, "
                            f"{profiled.pages_per_second:.1f} pages/s under cProfile):\n"
                            + profile_summary(prof))
    finally:
        server.stop()

    run = first.run
    ratio = first.pages_per_second / scrapy_rate
    print("\n" + "=" * 72)
    print(f"clusterwatch crawl benchmark — {len(articles)} articles, {listing_pages} listing pages, "
          f"{os.cpu_count()} CPUs, load average at start {load_at_start:.1f}")
    print("=" * 72)
    print(f"backfill   status {run['status']}, pages {run['pages']}, new {run['new']}, duplicates "
          f"{run['duplicates']}, errors {run['errors']}, selector misses {run['selector_misses']}; "
          f"rows stored {stored}")
    print(f"           requests {first.requests}, crawl time {first.span:.1f} s "
          f"(wall incl. start-up {first.wall:.1f} s)")
    print(f"           {first.pages_per_second:.1f} pages/s  ({run['pages'] / first.wall:.1f} pages/s on wall time)")
    print(f"scrapy bench  {scrapy_rate:.1f} pages/s  (mean of {before_rate:.1f} before and {after_rate:.1f} after "
          f"the backfill; per-second rates {min(scrapy_rates) / 60:.0f}–{max(scrapy_rates) / 60:.0f})")
    print(f"load average  {' / '.join(f'{x:.1f}' for x in loads)} (after scrapy bench, backfill, scrapy bench)")
    print(f"RATIO clusterwatch ÷ scrapy bench = {ratio:.2f}   (target >= 0.8: {'met' if ratio >= 0.8 else 'NOT met'})")
    print(f"SiteServer alone  {capacity:.0f} responses/s "
          f"({'not' if capacity > 2 * first.pages_per_second else 'possibly'} the bottleneck)")
    req_frac = second.requests / first.requests
    print(f"re-crawl   status {second.run['status']}, requests {second.requests} ({req_frac:.3%} of the backfill's, "
          f"target <= 2%: {'met' if req_frac <= 0.02 else 'NOT met'}), new {second.run['new']}, "
          f"not modified {second.run['not_modified']}")
    print(f"           time {second.wall:.2f} s wall ({second.wall / first.wall:.2%} of the backfill's wall time); "
          f"server-side span {second.span:.3f} s")
    print(f"           paths: {second.paths[:5]}")
    if profile_text:
        print(profile_text)
    problems = []
    if run["new"] != len(articles) or stored != len(articles):
        problems.append(f"backfill stored {stored} rows, expected {len(articles)}")
    if second.run["new"]:
        problems.append("the re-crawl stored new rows")
    for p in problems:
        print(f"PROBLEM: {p}")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
