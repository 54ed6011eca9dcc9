"""`clusterwatch backfill` against the archive replica on 127.0.0.1 (monitor/archive_replica.py):
real HTTP, real SQLite, the installed command line. The replica holds captures of the go-cluster
programme page from 2013 to 2023 with changing member counts and of Cluster Platform articles,
with a duplicate digest, a redirect capture, a 404 capture and a truncated record."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.items import AnnouncementItem
from crawler.store import Store
from monitor.archive_replica import ArchiveReplica
from tests.conftest import write_config

ARCHIVE = Path(__file__).parent / "archives" / "wayback"
PROG = "https://www.clusterplattform.de/CLUSTER/Navigation/DE/Clusterpolitik/Bund/go-cluster/go-cluster.html"
NEWS = "https://www.clusterplattform.de/CLUSTER/Navigation/DE/Aktuelles/aktuelles.html"
# The replica's years, as `clusterwatch timeline go-cluster` must list them.
# (the 100th member's release also says "100 Mitglieder": the count 100 is known from its day on,
# and the 2015 page's "100" is the same count again)
TIMELINE = [("2013-03-01", 68, "member_count"), ("2014-11-18", 100, "member_ordinal"),
            ("2014-11-18", 100, "member_count"), ("2017-04-05", 90, "member_count"),
            ("2018-06-12", 87, "member_count"), ("2019-05-20", 80, "member_count"),
            ("2021-03-02", 77, "member_count"), ("2023-04-15", 72, "member_count")]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[ArchiveReplica]:
    shutil.copytree(ARCHIVE, tmp_path / "archive")
    replica = ArchiveReplica(tmp_path / "archive").start()
    yield replica
    replica.stop()


def config_for(tmp_path: Path, replica: ArchiveReplica, *, fetch_per_minute: float = 0, name: str = "cw.toml",
               database: str = "data.db") -> Path:
    extra = (
        f'\n[archive]\ncdx_url = "{replica.cdx_url}"\nwayback_url = "{replica.wayback_url}"\n'
        f"search_per_minute = 0\nfetch_per_minute = {fetch_per_minute}\nretries = 2\nbackoff = 0.01\ntimeout = 5\n"
        '\n[email]\nmaildir = "mail"\nsender = "clusterwatch <cw@example.org>"\n'
        '\n[[subscribers]]\nemail = "analyst@example.org"\nprogrammes = ["go-cluster"]\n'
    )
    sources = [
        {"name": "clusterplattform-news", "kind": "gsb", "url": NEWS},
        {"name": "go-cluster-programme", "kind": "article", "url": PROG, "revisit": True},
    ]
    return write_config(tmp_path / name, sources, extra=extra, database=database)


def by_source(result_json: object) -> dict[str, dict]:
    assert isinstance(result_json, list)
    return {r["source"]: r for r in result_json}


def test_backfill_rebuilds_the_yearly_timeline_and_emails_nothing(tmp_path: Path, archive: ArchiveReplica,
                                                                  cli) -> None:
    config = config_for(tmp_path, archive)
    result = cli("backfill", "--json", config=config)
    assert result.code == 0, result.err
    report = by_source(result.json())
    programme = report["go-cluster-programme"]
    # 7 distinct texts (the second 2017 capture has the first's digest; the redirect and the 404
    # are not 200 captures): one announcement and six revisions.
    assert (programme["listed"], programme["fetched"], programme["stored"], programme["updated"]) == (7, 7, 1, 6)
    news = report["clusterplattform-news"]
    # The 100th-member article (captured twice, one digest) is stored; the truncated record is
    # retried, then reported; the image is never listed.
    assert (news["listed"], news["stored"], news["failed"]) == (2, 1, 1)
    assert any("truncated record" in e for e in news["errors"])
    assert not any("logo.png" in p or "http://www" in p or "20170912" in p or "20240110" in p
                   for p in archive.fetched())

    timeline = cli("timeline", "go-cluster", "--json", config=config)
    assert timeline.code == 0, timeline.err
    points = timeline.json()
    assert [(p["date"], p["number"], p["kind"]) for p in points] == TIMELINE
    assert all(p["source"] and p["source"].startswith("https://www.clusterplattform.de/") for p in points)
    plot = cli("timeline", "go-cluster", "--plot", "go-cluster.png", config=config)
    assert plot.code == 0 and (tmp_path / "go-cluster.png").stat().st_size > 1000

    # History is never news: no alert exists, and delivery sends nothing.
    assert cli("alerts", "--json", config=config).json() == []
    sent = cli("notify", config=config)
    assert sent.code == 0 and "sent 0" in sent.out
    assert not any((tmp_path / "mail" / "new").glob("*")) if (tmp_path / "mail" / "new").exists() else True
    assert cli("detect", config=config).out.startswith("analysed 0 announcement(s)")

    # Every row says where it came from.
    conn = sqlite3.connect(tmp_path / "data.db")
    rows = conn.execute("SELECT url, archive, archive_timestamp, archive_url, published, first_seen"
                        " FROM announcements ORDER BY id").fetchall()
    assert {r[0] for r in rows} == {PROG, "https://www.clusterplattform.de/CLUSTER/Redaktion/DE/Kurzmeldungen/Aktuelles/"
                                          "2014/4_Quartal/20141118_automotive_nordwest_100_mitglied.html"}
    assert all(r[1] == "wayback" and r[2] and r[3] for r in rows)
    article = next(r for r in rows if r[0] != PROG)
    assert article[4].startswith("2014-11-18") and article[5].startswith("2014-11-20")  # its real date; when captured
    revisions = conn.execute("SELECT archive_timestamp, replaced_at FROM revisions ORDER BY id").fetchall()
    assert [r[0][:4] for r in revisions] == ["2013", "2015", "2017", "2018", "2019", "2021"]
    assert revisions[0][1].startswith("2015-02-10")  # replaced when the next text was captured
    assert conn.execute("SELECT count(*) FROM sightings WHERE archive IS NULL").fetchone()[0] == 0
    conn.close()

    # A second backfill lists again but fetches nothing.
    before = len(archive.fetched())
    again = by_source(cli("backfill", "--json", config=config).json())
    assert len(archive.fetched()) == before
    assert again["go-cluster-programme"]["known"] == 7 and again["go-cluster-programme"]["fetched"] == 0
    assert again["clusterplattform-news"]["fetched"] == 0  # the failed one waits for --retry-failed
    retried = by_source(cli("backfill", "--json", "--retry-failed", "clusterplattform-news", config=config).json())
    assert retried["clusterplattform-news"]["fetched"] == 1 and retried["clusterplattform-news"]["failed"] == 1


def test_dry_run_fetches_and_writes_nothing(tmp_path: Path, archive: ArchiveReplica, cli) -> None:
    config = config_for(tmp_path, archive)
    result = cli("backfill", "--dry-run", "--from", "2017", "--to", "2019", config=config)
    assert result.code == 0, result.err
    assert "go-cluster-programme: 3 distinct capture(s) listed, 0 handled before, 3 to fetch" in result.out
    assert "nothing was fetched or stored" in result.out
    assert archive.fetched() == [] and not (tmp_path / "data.db").exists()
    bad = cli("backfill", "--from", "2019-13", config=config)
    assert bad.code == 2 and "YYYY" in bad.err and "Traceback" not in bad.err


def test_limit_bounds_each_run_and_the_next_run_continues(tmp_path: Path, archive: ArchiveReplica, cli) -> None:
    config = config_for(tmp_path, archive)
    first = cli("backfill", "go-cluster-programme", "--limit", "3", config=config)
    assert first.code == 0, first.err
    assert "capture limit was reached" in first.err
    assert len(archive.fetched()) == 3
    second = by_source(cli("backfill", "go-cluster-programme", "--json", config=config).json())
    assert second["go-cluster-programme"]["known"] == 3 and second["go-cluster-programme"]["fetched"] == 4
    assert len(archive.fetched()) == 7 and len(set(archive.fetched())) == 7
    points = cli("timeline", "go-cluster", "--json", config=config).json()
    assert [p["number"] for p in points] == [68, 100, 90, 87, 80, 77, 72]


def dataset_summary(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        return {
            "announcements": conn.execute("SELECT url, title, body, published, revision, archive, archive_timestamp,"
                                          " archive_url, first_seen FROM announcements ORDER BY url").fetchall(),
            "revisions": conn.execute("SELECT r.revision, r.body, r.archive_timestamp, r.replaced_at FROM revisions r"
                                      " ORDER BY r.archive_timestamp").fetchall(),
            "sightings": conn.execute("SELECT url, source, match, archive_timestamp FROM sightings ORDER BY url, source")
            .fetchall(),
            "events": conn.execute("SELECT key, number, published, milestone, milestone_key FROM events ORDER BY key")
            .fetchall(),
            "captures": conn.execute("SELECT source, timestamp, original, state, result FROM archive_captures"
                                     " ORDER BY source, timestamp").fetchall(),
            "alerts": conn.execute("SELECT * FROM alerts").fetchall(),
        }
    finally:
        conn.close()


def test_killed_backfill_resumes_to_the_same_dataset(tmp_path: Path, archive: ArchiveReplica, cli) -> None:
    whole = config_for(tmp_path, archive, name="whole.toml", database="whole.db")
    assert cli("backfill", config=whole).code == 0
    expected = dataset_summary(tmp_path / "whole.db")
    archive.requests.clear()

    # Four captures a second, and SIGKILL once a few were fetched: mid-run, maybe mid-transaction.
    config = config_for(tmp_path, archive, fetch_per_minute=240)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    env["CLUSTERWATCH_CONFIG"] = str(config)
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "backfill", "go-cluster-programme",
                             "clusterplattform-news"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(archive.fetched()) < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_after = list(archive.fetched())
    assert 4 <= len(killed_after) < 10

    resumed = cli("backfill", config=config)
    assert resumed.code == 0, resumed.err
    assert dataset_summary(tmp_path / "data.db") == _without_times(expected, tmp_path / "data.db")
    # Nothing stored before the kill was fetched again: at most the one capture in flight.
    again = archive.fetched()[len(killed_after):]
    assert len(set(again) & set(killed_after)) <= 1


def _without_times(expected: dict[str, list], path: Path) -> dict[str, list]:
    # Both runs date rows by capture, never by the clock, so the summaries are equal as they are.
    return expected


def test_history_never_replaces_a_live_text(tmp_path: Path, archive: ArchiveReplica) -> None:
    """A dataset with a live crawl of the programme page (from before this version: migrated)
    gains the archive's older texts as earlier revisions; its current text stays the live one."""
    from sqlite_migrate import Migrations
    from sqlite_utils import Database

    import crawler.migrations as cm
    from crawler.config import load_config
    from monitor.backfill import Backfill

    db_path = tmp_path / "data.db"
    old = Migrations("clusterwatch.crawler")
    for name, fn in [("0001_announcements", cm.m0001_announcements), ("0002_crawl_runs", cm.m0002_crawl_runs),
                     ("0003_fts_trigram", cm.m0003_fts), ("0004_source_state", cm.m0004_source_state)]:
        old(name=name)(fn)
    old.apply(Database(str(db_path)))
    store = Store(db_path)  # migrates the old dataset
    live_text = "go-cluster ist das Exzellenzprogramm. Gegenwärtig nutzen 101 Mitglieder die Angebote des Programms."
    store.ingest(AnnouncementItem(url=PROG, source="go-cluster-programme", title="go-cluster", body=live_text))
    store.close()

    config = load_config(config_for(tmp_path, archive))
    reports = Backfill(config, [config.source("go-cluster-programme")]).run()
    assert reports[0].history == 7 and [e for e in reports[0].errors if not e.startswith("warning:")] == []
    conn = sqlite3.connect(db_path)
    current = conn.execute("SELECT body, archive, revision FROM announcements").fetchall()
    assert current == [(live_text, None, 0)]
    kept = conn.execute("SELECT revision, archive, archive_timestamp FROM revisions ORDER BY archive_timestamp").fetchall()
    assert [(r[0], r[1], r[2][:4]) for r in kept] == [(-1, "wayback", y) for y in
                                                      ("2013", "2015", "2017", "2018", "2019", "2021", "2023")]
    numbers = conn.execute("SELECT number, published FROM events ORDER BY published").fetchall()
    assert numbers == [(68, "2013-03-01"), (100, "2015-02-10"), (90, "2017-04-05"), (87, "2018-06-12"),
                       (80, "2019-05-20"), (77, "2021-03-02"), (72, "2023-04-15")]
    assert conn.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0
    conn.close()
    # A later live edit clears nothing it should not, and an edit of an archived text is live.
    store = Store(db_path)
    store.conn.execute("UPDATE announcements SET archive = 'wayback', archive_timestamp = '20230415160000'")
    store.ingest(AnnouncementItem(url=PROG, source="go-cluster-programme", title="go-cluster",
                                  body=live_text.replace("101", "103")))
    assert store.conn.execute("SELECT archive, archive_timestamp FROM announcements").fetchone() == (None, None)
    store.close()
    json.dumps(reports[0].to_dict())


def test_default_prefixes_cover_every_domain_the_source_has_had() -> None:
    from crawler.config import load_config
    from monitor.backfill import archive_prefixes

    config = load_config(None)  # the built-in defaults: the real sources
    assert archive_prefixes(config.source("bmwe-press")) == [
        (f"https://www.{d}/Redaktion/DE/Pressemitteilungen/", "prefix") for d in ("bmwe.de", "bmwk.de", "bmwi.de")]
    assert archive_prefixes(config.source("clusterplattform-news")) == [
        ("https://www.clusterplattform.de/CLUSTER/Redaktion/", "prefix")]
    assert archive_prefixes(config.source("go-cluster-programme")) == [(PROG, "exact")]
    feed = archive_prefixes(config.source("bmwe-press-feed"))
    assert [m for _, m in feed] == ["exact"] * 3 and feed[2][0].startswith("https://www.bmwi.de/SiteGlobals/")


def test_an_unreachable_archive_is_reported_per_source_without_a_traceback(tmp_path: Path, archive: ArchiveReplica,
                                                                           cli) -> None:
    config = config_for(tmp_path, archive)
    text = config.read_text().replace(archive.cdx_url, "http://127.0.0.1:9/cdx/search/cdx")
    config.write_text(text)
    result = cli("backfill", "go-cluster-programme", config=config)
    assert result.code == 1
    assert "go-cluster-programme: index search for" in result.err and "connection failed" in result.err
    assert "gave up after 3 attempts" in result.err and "Traceback" not in result.err
    dry = cli("backfill", "go-cluster-programme", "--dry-run", config=config)
    assert dry.code == 1 and "connection failed" in dry.err and "Traceback" not in dry.err


def test_progress_line_counts_and_estimates(tmp_path: Path, archive: ArchiveReplica) -> None:
    from crawler.config import load_config
    from monitor.backfill import Backfill

    config = load_config(config_for(tmp_path, archive))
    lines: list[str] = []
    Backfill(config, [config.source("go-cluster-programme")], progress=lines.append).run()
    assert len(lines) == 7
    assert lines[0].startswith("go-cluster-programme: listed 7, fetched 1, stored 1, ")
    assert lines[-1].startswith("go-cluster-programme: listed 7, fetched 7, stored 7, ") and "/min" in lines[-1]
    assert lines[-1].endswith("about 0 s left")


def test_a_live_crawl_after_the_backfill_never_alerts_what_history_holds(tmp_path: Path, archive: ArchiveReplica,
                                                                        sites, cli) -> None:
    from monitor.demo import LISTING_CP, PROGRAMME_CP

    config = config_for(tmp_path, archive)
    assert cli("backfill", config=config).code == 0
    conn = sqlite3.connect(tmp_path / "data.db")
    historical = {row[0] for row in conn.execute("SELECT id FROM events")}
    conn.close()
    assert historical

    cp = sites["clusterplattform"].url
    extra = '\n[email]\nmaildir = "mail"\n\n[[subscribers]]\nemail = "analyst@example.org"\nprogrammes = ["go-cluster"]\n'
    live = write_config(tmp_path / "live.toml", [
        {"name": "clusterplattform-news", "kind": "gsb", "url": cp + LISTING_CP},
        {"name": "go-cluster-programme", "kind": "article", "url": cp + PROGRAMME_CP, "revisit": True},
    ], extra=extra)
    crawled = cli("crawl", config=live)
    assert crawled.code == 0, crawled.err
    assert cli("detect", config=live).code == 0
    alerts = cli("alerts", "--json", config=live).json()
    conn = sqlite3.connect(tmp_path / "data.db")
    alerted = {row[0] for row in conn.execute("SELECT event_id FROM alerts")}
    # The 100th member was history before the live crawl read it again: never alerted.
    hundredth = conn.execute("SELECT id FROM events WHERE key = 'member_ordinal|go-cluster|100'").fetchone()[0]
    # The programme page's live text is current again, with no archive provenance.
    live_rows = conn.execute("SELECT count(*) FROM sightings WHERE archive IS NULL").fetchone()[0]
    conn.close()
    # Without the backfill, the same live crawl alerts the 100th member: the test is armed.
    fresh = write_config(tmp_path / "fresh.toml", [
        {"name": "clusterplattform-news", "kind": "gsb", "url": cp + LISTING_CP},
        {"name": "go-cluster-programme", "kind": "article", "url": cp + PROGRAMME_CP, "revisit": True},
    ], extra=extra, database="fresh.db")
    assert cli("crawl", config=fresh).code == 0 and cli("detect", config=fresh).code == 0
    control = sqlite3.connect(tmp_path / "fresh.db")
    assert control.execute("SELECT count(*) FROM alerts a JOIN events e ON e.id = a.event_id"
                           " WHERE e.key = 'member_ordinal|go-cluster|100'").fetchone()[0] == 1
    control.close()
    assert hundredth in historical and not alerted & historical, alerts
    assert live_rows > 0


def test_common_crawl_warc_records_give_the_same_timeline(tmp_path: Path, cli) -> None:
    from monitor.archive_replica import CommonCrawlReplica

    shutil.copytree(ARCHIVE, tmp_path / "archive")
    replica = CommonCrawlReplica(tmp_path / "archive").start()
    try:
        config = config_for(tmp_path, replica)
        config.write_text(config.read_text().replace(
            f'cdx_url = "{replica.cdx_url}"', f'commoncrawl_index_url = "{replica.url}/collinfo.json"').replace(
            f'wayback_url = "{replica.wayback_url}"', f'commoncrawl_data_url = "{replica.url}"'))
        dry = cli("backfill", "--archive", "commoncrawl", "--dry-run", "--from", "2017", "--to", "2019",
                  config=config)
        assert dry.code == 0, dry.err
        assert "go-cluster-programme: 3 distinct capture(s) listed" in dry.out
        result = cli("backfill", "--archive", "commoncrawl", "--json", config=config)
        assert result.code == 0, result.err
        report = by_source(result.json())
        assert (report["go-cluster-programme"]["fetched"], report["go-cluster-programme"]["updated"]) == (7, 6)
        assert report["clusterplattform-news"]["failed"] == 1  # the truncated record
        assert any(p.startswith("/crawl-data/") for p in replica.requests)  # records by Range request
        points = cli("timeline", "go-cluster", "--json", config=config).json()
        assert [(p["date"], p["number"], p["kind"]) for p in points] == TIMELINE
        conn = sqlite3.connect(tmp_path / "data.db")
        assert {r[0] for r in conn.execute("SELECT archive FROM announcements")} == {"commoncrawl"}
        assert conn.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0
        conn.close()
        # Only the years' crawls that can hold captures in --from/--to are asked.
        replica.requests.clear()
        cli("backfill", "--archive", "commoncrawl", "--from", "2021", "--dry-run", config=config)
        asked = {p.split("-index")[0] for p in replica.requests if "-index" in p}
        assert asked == {"/CC-MAIN-2021-10", "/CC-MAIN-2023-10", "/CC-MAIN-2024-10"}
    finally:
        replica.stop()


def test_captures_of_one_page_under_old_schemes_and_hosts_are_its_revisions(tmp_path: Path) -> None:
    """Before the relaunch the programme page was http://clusterplattform.de/…: its captures there
    still revise the one announcement at today's address, and keep their own address."""
    from crawler.config import load_config
    from monitor.backfill import Backfill

    shutil.copytree(ARCHIVE, tmp_path / "archive")
    path = tmp_path / "archive" / "index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    old_address = PROG.replace("https://www.", "http://")
    for capture in index["captures"]:
        if capture["original"] == PROG and capture["timestamp"][:4] in ("2013", "2015"):
            capture["original"] = old_address
    path.write_text(json.dumps(index), encoding="utf-8")
    replica = ArchiveReplica(tmp_path / "archive").start()
    try:
        text = config_for(tmp_path, replica).read_text()
        config_path = tmp_path / "cw.toml"
        config_path.write_text(text.replace(f'url = "{PROG}"', f'url = "{PROG}"\narchive_prefixes = ["{PROG}", '
                                                              f'"{old_address}"]'))
        config = load_config(config_path)
        report = Backfill(config, [config.source("go-cluster-programme")]).run()[0]
    finally:
        replica.stop()
    assert (report.stored, report.updated, report.duplicates) == (1, 6, 0)
    conn = sqlite3.connect(tmp_path / "data.db")
    assert conn.execute("SELECT url FROM announcements").fetchall() == [(PROG,)]
    assert [r[0] for r in conn.execute("SELECT archive_url FROM revisions ORDER BY id LIMIT 2")] == [old_address] * 2
    assert [r[0] for r in conn.execute("SELECT number FROM events ORDER BY published")] == [68, 100, 90, 87, 80, 77, 72]
    conn.close()


def test_a_feed_capture_becomes_its_entries(tmp_path: Path, archive: ArchiveReplica, cli) -> None:
    feed = "https://www.bmwi.de/SiteGlobals/Functions/RSSFeed/DE/RSSNewsfeed/RSS_Pressemitteilungen.xml"
    config = config_for(tmp_path, archive)
    config.write_text(config.read_text() + "\n[[sources]]\nname = \"bmwe-press-feed\"\nkind = \"feed\"\n"
                      f"url = \"{feed}\"\nallowed_domains = [\"bmwe.de\", \"bmwk.de\", \"bmwi.de\"]\n")
    result = cli("backfill", "bmwe-press-feed", "--json", config=config)
    assert result.code == 0, result.err
    report = by_source(result.json())["bmwe-press-feed"]
    assert (report["listed"], report["fetched"], report["stored"]) == (1, 1, 15)  # found under bmwe.de
    conn = sqlite3.connect(tmp_path / "data.db")
    rows = conn.execute("SELECT url, published, archive, archive_url FROM announcements").fetchall()
    conn.close()
    assert len(rows) == 15 and all(r[1] and r[2] == "wayback" for r in rows)
    assert {r[3] for r in rows} == {feed.replace("bmwi.de", "bmwe.de")}
    assert {r[1][:10] for r in rows} >= {"2019-04-11", "2016-11-18"}  # the entries' own dates


def test_redetect_restores_history_after_detect_all(tmp_path: Path, archive: ArchiveReplica, cli) -> None:
    config = config_for(tmp_path, archive)
    assert cli("backfill", "go-cluster-programme", config=config).code == 0
    assert cli("detect", "--all", config=config).code == 0
    # detect --all reads each announcement's current text only: the older captures' numbers lose
    # their evidence (a limit of detect --all, for live revisions too).
    shrunk = [p["number"] for p in cli("timeline", "go-cluster", "--json", config=config).json()]
    assert shrunk == [72]
    result = cli("backfill", "--redetect", config=config)
    assert result.code == 0 and "analysed 7 archived text(s)" in result.out, result.err
    points = cli("timeline", "go-cluster", "--json", config=config).json()
    assert [p["number"] for p in points] == [68, 100, 90, 87, 80, 77, 72]
    assert cli("alerts", "--json", config=config).json() == []
    assert not archive.fetched()[7:]  # nothing fetched again
