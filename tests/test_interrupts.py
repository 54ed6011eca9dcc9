"""Ctrl-C and SIGTERM: a crawl stops within seconds, says so, exits 130 and records what it stored;
the service stops within 10 s even while a crawl waits on a slow server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import write_config
from tests.test_hostile_sources import text

ARTICLES = 40


def slow_site(site) -> None:
    """An index of articles that each take a second to answer."""
    links = "".join(f'<li><a href="/news/{n}">Meldung {n}</a></li>' for n in range(ARTICLES))
    (site.root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (site.root / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8")
    (site.root / "news").mkdir()
    for n in range(ARTICLES):
        page = site.root / "news" / str(n)
        page.write_text(f"<html><head><title>Meldung {n}</title></head><body><article><h1>Meldung {n}</h1>"
                        f"<p>{text(n)}</p><p>{text(n + 1000)}</p></article></body></html>", encoding="utf-8")
        page.with_name(f"{n}.headers").write_text("Content-Type: text/html; charset=utf-8\nDelay: 1\n")


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM announcements").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def start_crawl(tmp_path: Path, site) -> tuple[subprocess.Popen[str], Path]:
    config = write_config(tmp_path / "cw.toml", [
        {"name": "slow", "kind": "article", "url": site.url + "/index.html", "follow": r"/news/\d+$"}],
        crawler={"concurrent_per_domain": 2})
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "crawl", "--json"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db = tmp_path / "data.db"
    deadline = time.monotonic() + 60
    while stored(db) < 3:
        assert time.monotonic() < deadline and proc.poll() is None, "the crawl stored nothing"
        time.sleep(0.1)
    return proc, db


def the_run(db: Path) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute("SELECT * FROM crawl_runs").fetchone())
    finally:
        conn.close()


def test_one_ctrl_c_stops_the_crawl_within_seconds_and_records_what_it_stored(tmp_path, site_copy) -> None:
    site = site_copy()
    slow_site(site)
    proc, db = start_crawl(tmp_path, site)
    pressed = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    took = time.monotonic() - pressed
    assert proc.returncode == 130, err
    assert "stopping (Ctrl-C again to abort)" in err.splitlines() and "Traceback" not in err
    assert took < 5
    run = the_run(db)
    assert run["status"] == "interrupted" and run["finished"]
    assert 3 <= run["new"] == stored(db) < ARTICLES
    assert json.loads(run["error_messages"])[0].startswith("interrupted: stopped on request after ")
    assert json.loads(out)[0]["status"] == "interrupted"


def test_two_ctrl_c_record_the_run_as_interrupted_with_the_items_it_stored(tmp_path, site_copy) -> None:
    # It used to end as "pages 0 new 0 ... could not record its end (see the log)" with 3 items stored.
    site = site_copy()
    slow_site(site)
    proc, db = start_crawl(tmp_path, site)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode in (130, -signal.SIGINT), err
    run = the_run(db)
    assert run["status"] == "interrupted"
    assert 3 <= run["new"] == stored(db)
    messages = json.loads(run["error_messages"])
    assert messages[0].startswith(("interrupted: aborted by a second Ctrl-C", "interrupted: stopped on request"))
    assert "could not record its end" not in run["error_messages"]


def test_the_service_stops_within_10_s_while_a_crawl_waits_on_a_slow_server(tmp_path, site_copy) -> None:
    from tests.test_service import start_service, stop_service, wait_for

    site = site_copy()
    (site.root / "feed.xml").write_text("<rss/>")
    (site.root / "feed.xml.headers").write_text("Delay: 60\n")
    config = write_config(tmp_path / "cw.toml", [
        {"name": "hangs", "kind": "feed", "url": site.url + "/feed.xml", "every": "1h", "jitter": "0s"}],
        crawler={"timeout": 30})
    proc = start_service(config, tmp_path)
    assert wait_for(lambda: "/feed.xml" in site.paths(), 60), "the service did not crawl"
    code, took, err = stop_service(proc)
    assert code == 0, err
    assert took < 10, err
