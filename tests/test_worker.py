"""Long-lived crawl workers (crawler.worker): real Scrapy crawls of local sites, real processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from crawler.store import Store
from crawler.worker import WorkerPool
from tests.conftest import write_config
from tests.test_feed_crawl import ITEMS, make_site, rss


def hanging_site(site_copy):
    bad = site_copy()
    (bad.root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (bad.root / "feed.xml").write_text(rss(ITEMS), encoding="utf-8")
    (bad.root / "feed.xml.headers").write_text("Delay: 60\n")
    return bad


@pytest.fixture
def two_sites(tmp_path: Path, site_copy):
    good = site_copy()
    make_site(good)
    bad = hanging_site(site_copy)
    config = write_config(tmp_path / "cw.toml", [
        {"name": "good", "kind": "feed", "url": good.url + "/feed.xml"},
        {"name": "hangs", "kind": "feed", "url": bad.url + "/feed.xml"},
    ], crawler={"timeout": 60})
    return config, good, bad


def test_one_worker_runs_many_crawls_and_stops_each_at_its_time_limit(tmp_path: Path, two_sites) -> None:
    config, good, _ = two_sites
    pool = WorkerPool(str(config), tmp_path / "data.db", size=1)
    try:
        started = time.monotonic()
        hang = pool.submit("hangs", 3)
        first = pool.crawl("good", 30)
        assert first["status"] == "ok" and first["new"] == len(ITEMS)
        again = pool.crawl("good", 30)  # the same worker, its reactor still running
        assert again["status"] == "ok" and again["new"] == 0
        # A second job for a source that is running is refused, not run beside it.
        twice = pool.crawl("hangs", 3)
        assert twice["status"] == "skipped"
        stopped = hang.result(timeout=30)
        took = time.monotonic() - started
        assert stopped["status"] == "failed"
        assert any("time limit of 3 s" in m for m in json.loads(stopped["error_messages"]))
        assert took < 15  # the limit, not the server's 60 s
        assert pool.started_workers == 1
        pids = {w.process.pid for w in pool.workers}
        assert len(pids) == 1
    finally:
        pool.close(grace=5)
    assert sum(p == "/feed.xml" for p in good.paths()) == 2


def test_a_worker_is_replaced_after_its_number_of_crawls(tmp_path: Path, two_sites) -> None:
    config, _, _ = two_sites
    pool = WorkerPool(str(config), tmp_path / "data.db", size=1, max_crawls=2)
    try:
        runs = [pool.crawl("good", 30) for _ in range(3)]
        assert [r["status"] for r in runs] == ["ok", "ok", "ok"]
        assert pool.started_workers == 2
    finally:
        pool.close(grace=5)


def test_a_killed_worker_has_its_crawls_recorded_failed_and_retried(tmp_path: Path, two_sites) -> None:
    config, _, _ = two_sites
    db = tmp_path / "data.db"
    Store(db).close()
    pool = WorkerPool(str(config), db, size=1)
    try:
        job = pool.submit("hangs", 20)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the crawl has opened its run
            if db.exists() and sqlite3.connect(db).execute(
                    "SELECT count(*) FROM crawl_runs WHERE status = 'running'").fetchone()[0]:
                break
            time.sleep(0.2)
        victim = pool.workers[0].process.pid
        os.kill(victim, signal.SIGKILL)
        final = job.result(timeout=60)  # the retry, in a new worker, stopped at its time limit
        assert final["status"] == "failed" and "time limit" in final["error_messages"]
        assert pool.started_workers == 2
    finally:
        pool.close(grace=5)
    conn = sqlite3.connect(db)
    runs = conn.execute("SELECT status, error_messages FROM crawl_runs WHERE source = 'hangs' ORDER BY id").fetchall()
    assert len(runs) == 2 and runs[0][0] == "failed" and "crawl process exited" in runs[0][1]
    assert conn.execute("SELECT count(*) FROM crawl_runs WHERE status = 'running'").fetchone()[0] == 0


def test_run_once_crawls_the_sources_at_once_each_within_its_limit(tmp_path: Path, site_copy, cli) -> None:
    good = site_copy()
    make_site(good)
    slow = [hanging_site(site_copy) for _ in range(5)]
    config = write_config(tmp_path / "cw.toml", [
        {"name": "good", "kind": "feed", "url": good.url + "/feed.xml"},
        *({"name": f"hangs{i}", "kind": "feed", "url": s.url + "/feed.xml"} for i, s in enumerate(slow)),
    ], crawler={"timeout": 60}, extra='\n[service]\ncrawl_timeout = "4s"\n')
    started = time.monotonic()
    result = cli("run", "--once", config=config)
    took = time.monotonic() - started
    assert result.code == 1
    assert "crawl good: ok" in result.err
    assert all(f"crawl hangs{i}: failed" in result.err for i in range(5)), result.err
    # Side by side: the five 4-second crawls started within one limit of each other, and the
    # whole run took less than their sum.
    conn = sqlite3.connect(tmp_path / "data.db")
    starts = [r[0] for r in conn.execute("SELECT started FROM crawl_runs WHERE source LIKE 'hangs%'")]
    conn.close()
    seconds = sorted(time.mktime(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")) for s in starts)
    assert len(seconds) == 5 and seconds[-1] - seconds[0] < 4
    assert took < 5 * 4


def test_a_process_that_forgets_to_close_its_pool_still_exits(tmp_path: Path) -> None:
    # Workers ignore SIGTERM; without the pool's exit handler, multiprocessing would wait for
    # them forever when the process ends (as a whole test session once did).
    import subprocess
    import sys

    script = (
        "from crawler.worker import WorkerPool\n"
        f"pool = WorkerPool(None, {str(tmp_path / 'data.db')!r}, size=1)\n"
        "run = pool.crawl('no-such-source', 10)\n"  # the worker is up and has answered a job
        "print('started', run.get('status'), flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "started" in done.stdout, done.stderr
