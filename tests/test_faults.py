"""Faults: crawls killed at random moments, a full disk, a read-only dataset, analysts' long queries
during a crawl. Whatever happens, the dataset stays consistent and nothing committed is lost.

The kill loop runs CLUSTERWATCH_KILL_RUNS times (default 8, so CI stays quick); the full count is
`CLUSTERWATCH_KILL_RUNS=50 python -m pytest tests/test_faults.py -k kill`.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import write_config
from tests.test_gsb_crawl import ARTICLES, LISTING

KILL_RUNS = int(os.environ.get("CLUSTERWATCH_KILL_RUNS", "8"))


def env_without_config() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}


def crawl_args(config: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "monitor", "--config", str(config), "crawl", "--json", *extra]


def consistent(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # No half-stored announcement: each has its own sighting, a signature when long enough,
        # and its full-text index entry.
        assert conn.execute("SELECT count(*) FROM announcements a WHERE NOT EXISTS (SELECT 1 FROM sightings s"
                            " WHERE s.announcement_id = a.id AND s.url = a.url)").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM announcements a WHERE length(body) > 2000 AND NOT EXISTS"
                            " (SELECT 1 FROM signatures g WHERE g.announcement_id = a.id)").fetchone()[0] == 0
        fts = conn.execute("SELECT count(*) FROM announcements_fts").fetchone()[0]
        count = conn.execute("SELECT count(*) FROM announcements").fetchone()[0]
        assert fts == count
        return {"announcements": count,
                "sightings": conn.execute("SELECT count(*) FROM sightings").fetchone()[0]}
    finally:
        conn.close()


def test_crawls_killed_at_random_moments_lose_nothing_committed(tmp_path, site_copy) -> None:
    site = site_copy("bmwe")
    config = write_config(tmp_path / "cw.toml", [{"name": "bmwe-press", "kind": "gsb", "url": site.url + LISTING},
                                                 {"name": "bmwe-feed", "kind": "feed", "url": site.url +
                                                  "/SiteGlobals/Functions/RSSFeed/DE/RSSNewsfeed/RSS_Pressemitteilungen.xml"}])
    db = tmp_path / "data.db"
    rng = random.Random(11)
    previous = {"announcements": 0, "sightings": 0}
    for _ in range(KILL_RUNS):
        proc = subprocess.Popen(crawl_args(config, "--full"), cwd=tmp_path, env=env_without_config(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not db.exists():
            continue
        now = consistent(db)
        assert now["announcements"] >= previous["announcements"]  # nothing committed is lost
        assert now["sightings"] >= previous["sightings"]
        previous = now
    finished = subprocess.run(crawl_args(config), cwd=tmp_path, env=env_without_config(), capture_output=True,
                              text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert consistent(db)["announcements"] == len(ARTICLES)
    conn = sqlite3.connect(db)
    # Runs whose process died are closed as failed by the next run of their source.
    assert conn.execute("SELECT count(*) FROM crawl_runs WHERE status = 'running'").fetchone()[0] == 0
    conn.close()


def test_a_full_disk_is_a_clear_error_and_nothing_is_corrupt(tmp_path, site_copy) -> None:
    site = site_copy("bmwe")
    config = write_config(tmp_path / "cw.toml", [{"name": "bmwe-press", "kind": "gsb", "url": site.url + LISTING}])
    db = tmp_path / "data.db"
    # First a dataset with something in it...
    small = write_config(tmp_path / "small.toml", [{"name": "bmwe-press", "kind": "gsb", "url": site.url + LISTING,
                                                    "max_pages": 4}], database="data.db")
    assert subprocess.run(crawl_args(small), cwd=tmp_path, env=env_without_config(), capture_output=True,
                          timeout=120).returncode in (0, 1)
    before = consistent(db)
    assert before["announcements"] > 0
    limit = sum(p.stat().st_size for p in tmp_path.glob("data.db*")) + 48 * 1024

    def little_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    full = subprocess.run(crawl_args(config, "--full"), cwd=tmp_path, env=env_without_config(),
                          capture_output=True, text=True, timeout=300, preexec_fn=little_disk)
    assert full.returncode == 1
    assert "Traceback" not in full.stderr
    assert "disk is full" in full.stdout + full.stderr or "cannot be written" in full.stdout + full.stderr
    after = consistent(db)
    assert after["announcements"] >= before["announcements"]


def make_read_only(path: Path) -> None:
    if os.geteuid() == 0:
        # root ignores file modes; the immutable attribute binds root too (ext4, as on these machines).
        subprocess.run(["chattr", "+i", str(path)], check=True)
    else:
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    path.chmod(0o644)


def test_a_read_only_dataset_is_a_clear_error(tmp_path, site_copy) -> None:
    site = site_copy("bmwe")
    config = write_config(tmp_path / "cw.toml", [{"name": "bmwe-press", "kind": "gsb", "url": site.url + LISTING}])
    first = subprocess.run(crawl_args(config), cwd=tmp_path, env=env_without_config(), capture_output=True,
                           timeout=120)
    assert first.returncode == 0
    db = tmp_path / "data.db"
    before = consistent(db)
    make_read_only(db)
    try:
        result = subprocess.run(crawl_args(config, "--full"), cwd=tmp_path, env=env_without_config(),
                                capture_output=True, text=True, timeout=120)
        query = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "query",
                                "select count(*) as n from announcements", "--json"], cwd=tmp_path,
                               env=env_without_config(), capture_output=True, text=True, timeout=60)
    finally:
        make_writable(db)
    assert result.returncode == 1
    assert "cannot be written" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # Reading still works for analysts.
    assert query.returncode == 0, query.stderr
    assert consistent(db) == before


def test_long_analyst_queries_during_a_crawl_never_see_a_locked_database(tmp_path, site_copy) -> None:
    site = site_copy("bmwe")
    config = write_config(tmp_path / "cw.toml", [{"name": "bmwe-press", "kind": "gsb", "url": site.url + LISTING}])
    db = tmp_path / "data.db"
    subprocess.run(crawl_args(config), cwd=tmp_path, env=env_without_config(), capture_output=True, timeout=120)
    errors: list[str] = []
    queries = 0
    stop = threading.Event()

    def analyst() -> None:
        nonlocal queries
        while not stop.is_set():
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
            try:
                conn.execute("BEGIN")
                conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)"
                             " SELECT count(*), (SELECT count(*) FROM announcements) FROM n").fetchone()
                conn.execute("SELECT title, length(body) FROM announcements ORDER BY published").fetchall()
                conn.execute("COMMIT")
                queries += 1
            except sqlite3.Error as exc:
                errors.append(str(exc))
            finally:
                conn.close()

    readers = [threading.Thread(target=analyst) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        crawl = subprocess.run(crawl_args(config, "--full"), cwd=tmp_path, env=env_without_config(),
                               capture_output=True, text=True, timeout=300)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert crawl.returncode == 0, crawl.stderr
    assert "locked" not in crawl.stdout + crawl.stderr
    assert errors == [] and queries > 0
    assert consistent(db)["announcements"] == len(ARTICLES)


def test_crawls_in_separate_processes_write_one_dataset_at_once(tmp_path, sites) -> None:
    from monitor.demo import LISTING_CP

    configs = [
        write_config(tmp_path / "a.toml", [{"name": "bmwe-press", "kind": "gsb", "url": sites["bmwe"].url + LISTING}]),
        write_config(tmp_path / "b.toml", [{"name": "cp-news", "kind": "gsb", "url": sites["clusterplattform"].url
                                            + LISTING_CP}]),
        write_config(tmp_path / "c.toml", [{"name": "bmwe-feed", "kind": "feed", "url": sites["bmwe"].url +
                                            "/SiteGlobals/Functions/RSSFeed/DE/RSSNewsfeed/RSS_Pressemitteilungen.xml"}]),
    ]
    procs = [subprocess.Popen(crawl_args(config), cwd=tmp_path, env=env_without_config(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for config in configs]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in out + err
    assert consistent(tmp_path / "data.db")["announcements"] >= len(ARTICLES) + 15
