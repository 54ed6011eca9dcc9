"""`clusterwatch run`: the real service, started as a process, against local replicas and a real
SMTP server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_config
from tests.smtp_server import SmtpTestServer
from tests.test_feed_crawl import ITEMS, make_site, rss

MILESTONE_ITEM = {
    "title": "Staatssekretär begrüßt das 150. Mitglied bei go-cluster",
    "path": "/presse/2019/20190601-150-mitglied.html", "date": "Sat, 01 Jun 2019 10:00:00 +0200",
    "summary": "Kurz.",
    "content": (
        "Das Netzwerk Medizintechnik Rhein-Neckar e. V. aus Mannheim ist heute als 150. Mitglied in das "
        "Exzellenzprogramm „go-cluster“ des Bundesministeriums für Wirtschaft und Energie aufgenommen "
        "worden. Das Netzwerk bündelt seit 2010 die Kompetenzen von Kliniken, Hochschulen und "
        "Herstellern in der Metropolregion und hat gemeinsame Projekte zu digitalen Operationssälen und "
        "zur Sterilgutlogistik angestoßen. Die Staatssekretärin würdigte die Aufnahme als Zeichen für die "
        "Stärke der Gesundheitswirtschaft in der Region und kündigte weitere Austauschformate an."
    ),
}


def start_service(config: Path, cwd: Path, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run", *extra],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop_service(proc: subprocess.Popen[str]) -> tuple[int, float, str]:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        return -9, time.monotonic() - started, err
    return proc.returncode, time.monotonic() - started, err


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def service_config(tmp_path: Path, sources: list[dict], smtp: SmtpTestServer, **service: str) -> Path:
    extra = (f'\n[email]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
             f'sender = "clusterwatch <cw@example.org>"\ntimeout = 5\n'
             '\n[[subscribers]]\nemail = "ana@example.org"\n'
             '\n[service]\n' + "".join(f'{k} = "{v}"\n' for k, v in service.items()))
    return write_config(tmp_path / "cw.toml", sources, extra=extra)


@pytest.fixture
def smtp():
    server = SmtpTestServer().start()
    yield server
    server.stop()


def test_service_emails_a_new_milestone_once_and_stops_cleanly(tmp_path, site_copy, smtp) -> None:
    site = site_copy()
    make_site(site)
    every = 3
    config = service_config(tmp_path, [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml",
                                        "every": f"{every}s", "jitter": "0s"}], smtp)
    proc = start_service(config, tmp_path, "--log-format", "json")
    try:
        assert wait_for(lambda: sum(p == "/feed.xml" for p in site.paths()) >= 2, 60), "no scheduled re-crawl"
        assert smtp.messages == []  # the replica has no milestone yet
        added = time.monotonic()
        (site.root / "feed.xml").write_text(rss([MILESTONE_ITEM, *ITEMS]), encoding="utf-8")
        assert wait_for(lambda: len(smtp.messages) >= 1, every + 30), "no email"
        latency = time.monotonic() - added
        time.sleep(every * 2)  # more cycles: still exactly one email
        assert len(smtp.messages) == 1
        assert smtp.messages[0].message["Subject"].startswith("go-cluster: 150. Mitglied")
    finally:
        code, took, err = stop_service(proc)
    assert code == 0, err
    assert took < 10
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    crawls = [line for line in lines if line["message"].startswith("crawl press: ")]
    assert crawls and all({"source", "status", "pages", "new", "errors"} <= set(line) for line in crawls)
    assert latency < every + 30

    # A restart resumes the schedule and sends nothing new.
    site.reset_log()
    proc = start_service(config, tmp_path)
    try:
        assert wait_for(lambda: sum(p == "/feed.xml" for p in site.paths()) >= 2, 60)
    finally:
        code, _, err = stop_service(proc)
    assert code == 0, err
    assert len(smtp.messages) == 1


def test_a_hanging_source_is_reported_and_the_others_keep_their_schedule(tmp_path, site_copy, smtp) -> None:
    good = site_copy()
    make_site(good)
    bad = site_copy()
    (bad.root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    (bad.root / "feed.xml").write_text(rss(ITEMS), encoding="utf-8")
    (bad.root / "feed.xml.headers").write_text("Delay: 60\n")
    config = service_config(tmp_path, [
        {"name": "good", "kind": "feed", "url": good.url + "/feed.xml", "every": "2s", "jitter": "0s"},
        {"name": "hangs", "kind": "feed", "url": bad.url + "/feed.xml", "every": "2s", "jitter": "0s"},
    ], smtp, crawl_timeout="4s")
    proc = start_service(config, tmp_path)
    try:
        assert wait_for(lambda: sum(p == "/feed.xml" for p in good.paths()) >= 3, 60)
        db = tmp_path / "data.db"
        import sqlite3

        def hang_reported() -> bool:
            conn = sqlite3.connect(db)
            try:
                rows = conn.execute("SELECT error_messages FROM crawl_runs WHERE source = 'hangs'"
                                    " AND status = 'failed'").fetchall()
            finally:
                conn.close()
            return any("time limit" in r[0] for r in rows)

        assert wait_for(hang_reported, 40)
        before = sum(p == "/feed.xml" for p in good.paths())
        assert wait_for(lambda: sum(p == "/feed.xml" for p in good.paths()) > before, 20)
    finally:
        code, took, err = stop_service(proc)
    assert code == 0, err
    assert "crawl hangs: failed" in err and "time limit" in err


def test_run_once_exits_with_the_cycle_status(tmp_path, site_copy, smtp, cli) -> None:
    site = site_copy()
    make_site(site)
    ok = service_config(tmp_path, [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"}], smtp)
    result = cli("run", "--once", config=ok)
    assert result.code == 0, result.err
    assert "crawl press: ok" in result.err
    broken = service_config(tmp_path, [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"},
                                       {"name": "gone", "kind": "feed", "url": site.url + "/gone.xml"}], smtp)
    result = cli("run", "--once", config=broken)
    assert result.code == 1
    assert "crawl gone: failed" in result.err and "HTTP 404" in result.err


def test_backup_while_the_dataset_is_in_use(tmp_path, site_copy, smtp, cli) -> None:
    site = site_copy()
    make_site(site)
    config = service_config(tmp_path, [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"}], smtp)
    assert cli("crawl", config=config).code == 0
    import sqlite3

    holder = sqlite3.connect(tmp_path / "data.db")
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM announcements").fetchone()
    try:
        result = cli("backup", str(tmp_path / "copy.db"), config=config)
    finally:
        holder.rollback()
        holder.close()
    assert result.code == 0, result.err
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM announcements").fetchone()[0] == 3


def test_a_crawl_over_its_memory_limit_fails_alone(tmp_path, site_copy, smtp, cli) -> None:
    site = site_copy()
    make_site(site)
    config = service_config(tmp_path, [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"}], smtp)
    # 256 MB of address space is less than a Python process with Scrapy needs: the child fails.
    text = config.read_text().replace("[service]\n", "[service]\nmax_crawl_memory_mb = 256\n")
    config.write_text(text)
    result = cli("run", "--once", config=config)
    assert result.code == 1
    assert "crawl press: failed" in result.err and "crawl process exited" in result.err
    assert "Traceback" not in result.err


def test_a_second_service_on_one_dataset_is_refused_naming_the_first(tmp_path, site_copy, smtp) -> None:
    # Two `clusterwatch run` on one dataset both crawled every source: each crawl appeared twice.
    site = site_copy()
    make_site(site)
    config = service_config(tmp_path, [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml",
                                        "every": "1h", "jitter": "0s"}], smtp)
    first = start_service(config, tmp_path)
    try:
        assert wait_for(lambda: "/feed.xml" in site.paths(), 60), "the first service did not crawl"
        second = start_service(config, tmp_path)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 1
        assert err.strip().splitlines() == [
            f"Error: another 'clusterwatch run' (process {first.pid}) already serves {tmp_path / 'data.db'};"
            " stop it first, or give this one another --db"]
    finally:
        code, _, err = stop_service(first)
    assert code == 0, err
    assert sum(p == "/feed.xml" for p in site.paths()) == 1


def test_a_crawl_skips_a_source_another_process_is_crawling_and_says_so(tmp_path, site_copy, cli) -> None:
    from crawler.locks import crawl_lock_path, held

    site = site_copy()
    make_site(site)
    config = write_config(tmp_path / "cw.toml", [
        {"name": "press", "kind": "feed", "url": site.url + "/feed.xml"},
        {"name": "busy", "kind": "feed", "url": site.url + "/feed.xml?busy"}])
    # This test process plays the service's crawl child: it holds the source's lock.
    with held(crawl_lock_path(tmp_path / "data.db", "busy")):
        result = cli("crawl", config=config)
        once = cli("run", "--once", config=config)
    assert result.code == 0, result.err
    assert f"busy: skipped: another crawl of busy is running (process {os.getpid()})" in result.err
    assert [line.split()[:2] for line in result.out.splitlines()[2:4]] == [["press", "ok"], ["busy", "skipped"]]
    assert "skipped: another crawl of busy is running" in once.err
    runs = cli("query", "select source from crawl_runs order by id", "--json", config=config).json()
    assert [r["source"] for r in runs] == ["press", "press"]  # the skipped source left no run behind
