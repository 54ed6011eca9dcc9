"""The command line as analysts use it: real processes, real datasets."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_config
from tests.test_feed_crawl import make_site


@pytest.fixture
def crawled(tmp_path, site_copy, cli):
    site = site_copy()
    make_site(site)
    config = write_config(tmp_path / "cw.toml", [
        {"name": "press", "kind": "feed", "url": site.url + "/feed.xml"},
        {"name": "spare", "kind": "feed", "url": site.url + "/other.xml", "enabled": False},
    ])
    result = cli("crawl", config=config)
    assert result.code == 0, result.err
    return config


def test_crawl_prints_figures_per_source(crawled, cli) -> None:
    result = cli("crawl", config=crawled)
    header, _, row = result.out.splitlines()[:3]
    assert header.split() == ["source", "status", "pages", "new", "updated", "duplicates", "errors"]
    assert row.split()[:2] == ["press", "ok"] and row.split()[3] == "0"


def test_query_refuses_to_write_and_the_data_is_intact(crawled, cli) -> None:
    before = cli("query", "select count(*) as n from announcements", "--json", config=crawled).json()
    for sql in ("delete from announcements", "drop table announcements",
                "attach database 'x.db' as x", "update announcements set title = ''"):
        result = cli("query", sql, config=crawled)
        assert result.code != 0
        assert "read-only" in result.err and "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1
    after = cli("query", "select count(*) as n from announcements", "--json", config=crawled).json()
    assert before == after == [{"n": 3}]


def test_query_prints_json_and_csv(crawled, cli) -> None:
    sql = "select title, source from announcements order by title"
    rows = cli("query", sql, "--json", config=crawled).json()
    assert rows[0] == {"title": "Clusterwoche eröffnet", "source": "press"}
    table = list(csv.reader(io.StringIO(cli("query", sql, "--csv", config=crawled).out)))
    assert table[0] == ["title", "source"] and table[1] == ["Clusterwoche eröffnet", "press"]
    bad = cli("query", "select nope from announcements", config=crawled)
    assert bad.code == 1 and "SQL error: no such column: nope" in bad.err


def test_search_with_snippets(crawled, cli) -> None:
    hits = cli("search", "Mikroelektronik", "--json", config=crawled).json()
    assert [h["title"] for h in hits] == ["Drei neue Mitglieder bei go-cluster"]
    assert "[Mikroelektronik]" in hits[0]["snippet"]
    text = cli("search", "Clusterwoche", "--limit", "1", config=crawled).out
    assert "Clusterwoche eröffnet" in text and "2019-04-02" in text


def test_sources_lists_last_run_and_health(crawled, cli) -> None:
    listed = {s["name"]: s for s in cli("sources", "--json", config=crawled).json()}
    assert listed["press"]["health"] == "ok"
    assert listed["press"]["last_run"]["new"] == 3
    assert listed["spare"]["enabled"] is False and listed["spare"]["health"] == "never run"


def test_user_errors_are_one_line_without_traceback(tmp_path, cli) -> None:
    missing = cli("search", "x", "--db", str(tmp_path / "none.db"))
    assert missing.code == 1 and "no dataset at" in missing.err and "Traceback" not in missing.err
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sources]]\nname = "x"\nkind = "rss"\nurl = "https://a.de/"\n')
    result = cli("sources", config=bad)
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        f"Error: {bad}: source 'x': unknown kind 'rss'; valid kinds: article, feed, gsb"
    ]
    unknown = cli("crawl", "nosuch")
    assert unknown.code == 1 and "no source named 'nosuch'" in unknown.err


def test_every_command_has_help_with_an_example(cli) -> None:
    top = cli("--help")
    assert top.code == 0
    commands = [line.split()[0] for line in top.out.split("Commands:")[1].strip().splitlines()]
    assert {"crawl", "sources", "search", "query"} <= set(commands)
    for name in commands:
        result = cli(name, "--help")
        assert result.code == 0 and "Example" in result.out, name


def test_scrapy_list_and_crawl_work_from_the_project_root(tmp_path, site_copy) -> None:
    site = site_copy()
    make_site(site)
    config = write_config(tmp_path / "cw.toml", [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"}])
    env = {**os.environ, "CLUSTERWATCH_CONFIG": str(config)}
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert listed.stdout.split() == ["press"], listed.stderr
    crawl = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "press", "-s", "LOG_LEVEL=ERROR"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert crawl.returncode == 0, crawl.stderr
    import sqlite3

    conn = sqlite3.connect(tmp_path / "data.db")
    assert conn.execute("select count(*) from announcements").fetchone()[0] == 3
    assert conn.execute("select status, errors from crawl_runs").fetchall() == [("ok", 0)]


def test_python_dash_m_monitor_is_the_same_program() -> None:
    result = subprocess.run([sys.executable, "-m", "monitor", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("clusterwatch, version")
    assert Path(ROOT / "scrapy.cfg").read_text().count("default = crawler.settings") == 1


def test_extract_prints_one_json_line_per_input(tmp_path, cli) -> None:
    from tests.conftest import SHARED, SNAPSHOT

    seed = SHARED / "seeds" / "000_0337014357feef00.txt"
    page = SNAPSHOT / "bmwe" / "Redaktion" / "DE" / "Pressemitteilungen" / "2012" / \
        "20121122-kunststoff-cluster-ist-50-mitglied-bei-go-cluster.html"
    trap = tmp_path / "trap.txt"
    trap.write_text("Rund 150 Teilnehmerinnen und Teilnehmer kamen zur 6. Jahrestagung der go-cluster-Mitglieder.",
                    encoding="utf-8")
    inputs = [str(p) for p in (seed, page, trap) if p.exists()]
    result = cli("extract", *inputs, "-", "--json", input="Das Netzwerk begrüßt das 5.000. Mitglied.")
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["path"] for line in lines] == [*inputs, "-"]
    by_path = {line["path"]: line["events"] for line in lines}
    if seed.exists():
        assert [(e["kind"], e["programme"], e["number"], e["member"], e["place"]) for e in by_path[str(seed)]] == [
            ("member_ordinal", "go-cluster", 100, "Innovationscluster Automotive Nordwest e. V.", "Bremen")]
        assert {"evidence", "rule"} <= set(by_path[str(seed)][0])
    if page.exists():
        # the 50th member of go-cluster, the newcomer's own 64 member companies, and "Nur wenige Monate nach
        # dem Start hat go-cluster bereits 50 Mitglieder" (the same milestone in the store)
        assert [(e["kind"], e["programme"], e["number"]) for e in by_path[str(page)]] == [
            ("member_ordinal", "go-cluster", 50), ("member_count", "netzwerk polymermat thüringen", 64),
            ("member_count", "go-cluster", 50)]
    assert by_path[str(trap)] == []
    assert [e["number"] for e in by_path["-"]] == [5000]
    missing = cli("extract", str(tmp_path / "nope.txt"))
    assert missing.code == 1 and "cannot read" in missing.err


def test_extract_json_says_why(tmp_path, cli) -> None:
    release = tmp_path / "release.txt"
    release.write_text(
        "Der Heideverbund e. V. wächst\n\n"
        "Der Verbund hat die Moorbach Sensorik GmbH aus Celle als 75. Mitglied aufgenommen. "
        "Inzwischen sind es 75 Mitglieder.", encoding="utf-8")
    unsaid = tmp_path / "unsaid.txt"
    unsaid.write_text("Inzwischen sind es 212 Mitglieder.", encoding="utf-8")
    result = cli("extract", str(release), str(unsaid), "--json")
    assert result.code == 0, result.err
    lines = {json.loads(line)["path"]: json.loads(line)["events"] for line in result.out.splitlines()}
    (ordinal,) = [e for e in lines[str(release)] if e["kind"] == "member_ordinal"]
    # "Inzwischen sind es 75 Mitglieder": the count the text states beside it, under the same name
    (count,) = [e for e in lines[str(release)] if e["kind"] == "member_count"]
    assert (count["programme"], count["number"]) == ("heideverbund", 75)
    assert (ordinal["kind"], ordinal["programme"], ordinal["number"], ordinal["member"], ordinal["place"]) == (
        "member_ordinal", "heideverbund", 75, "Moorbach Sensorik GmbH", "Celle")
    why = ordinal["why"]
    assert why["frame"] == ordinal["rule"] and "Moorbach Sensorik GmbH" in why["roles"]["member"]
    assert "Heideverbund" in why["programme"] and why["sentence"] == ordinal["evidence"]
    (unknown,) = lines[str(unsaid)]
    assert unknown["programme"] is None and "does not say" in unknown["why"]["programme"]

@pytest.mark.parametrize("args", [("detect",), ("alerts",), ("alerts", "retry", "1"), ("notify",), ("milestones",),
                                  ("backup", "copy.db")])
def test_commands_that_read_need_an_existing_dataset(tmp_path, cli, args) -> None:
    # `alerts` used to create an empty dataset in the working folder, and `--db /nonexistent/x.db
    # detect` said "analysed 0" with exit 0 after creating the folder tree.
    config = write_config(tmp_path / "cw.toml", [], database="cw.db")
    for db in (None, str(tmp_path / "nonexistent" / "folder" / "x.db")):
        result = cli(*(["--db", db] if db else []), *args, config=config)
        assert result.code == 1, result
        assert result.err.strip().splitlines() == [f"Error: no dataset at {db or tmp_path / 'cw.db'}:"
                                                   " run 'clusterwatch crawl' first or pass --db"]
    assert not (tmp_path / "cw.db").exists() and not (tmp_path / "nonexistent").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cw.toml"]


def test_commands_that_write_create_the_dataset_but_not_a_missing_folder(tmp_path, cli) -> None:
    config = write_config(tmp_path / "cw.toml", [{"name": "press", "kind": "feed", "url": "http://127.0.0.1:9/f.xml"}])
    missing = tmp_path / "nonexistent" / "folder" / "cw.db"
    for command in ("crawl", "run"):
        result = cli("--db", str(missing), command, *(["--once"] if command == "run" else []), config=config)
        assert result.code == 1
        assert result.err.strip().splitlines()[-1] == (
            f"Error: cannot create dataset {missing}: the folder {missing.parent} does not exist;"
            " create it first or pass another --db")
    assert not (tmp_path / "nonexistent").exists()


def test_sources_labels_every_column_and_shows_the_whole_reason(tmp_path, cli) -> None:
    url = "http://127.0.0.1:9/SiteGlobals/Functions/RSSFeed/DE/RSSNewsfeed/RSS_Pressemitteilungen_und_Reden.xml"
    config = write_config(tmp_path / "cw.toml", [{"name": "gone", "kind": "feed", "url": url}])
    cli("crawl", config=config)
    out = cli("sources", config=config).out
    assert out.splitlines()[0].split() == ["name", "kind", "enabled", "last", "run", "new", "health"]
    assert f"  gone: failing: {url}: connection refused" in out.splitlines()  # used to be cut at 60 characters


def test_export_and_backup_into_a_missing_folder_are_one_line_and_exports_are_0644(crawled, cli, tmp_path) -> None:
    missing = tmp_path / "nope" / "x"
    for args in (("export", "-o", f"{missing}.json"), ("backup", f"{missing}.db")):
        result = cli(*args, config=crawled)
        assert result.code == 1
        assert result.err.strip().splitlines() == [
            f"Error: cannot write {missing}.{args[-1].rsplit('.', 1)[1]}: the folder {missing.parent} does not exist"]
    assert not missing.parent.exists()
    # mkstemp's private 0600 used to survive the rename, so a web server could not publish the feed.
    old = os.umask(0o022)  # the child inherits it
    try:
        assert cli("export", "--what", "announcements", "-o", str(tmp_path / "m.json"), config=crawled).code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "m.json").stat().st_mode & 0o777 == 0o644


def test_search_shows_unknown_for_an_undated_announcement(tmp_path, cli) -> None:
    from crawler.items import AnnouncementItem
    from crawler.store import Store

    store = Store(tmp_path / "data.db")
    store.ingest(AnnouncementItem(url="https://a.example/x", source="s", title="Clusterwoche ohne Datum",
                                  body="Die Clusterwoche beginnt bald."))
    store.close()
    config = write_config(tmp_path / "cw.toml", [])
    # The date column used to show "date unkno", cut to the width of a date.
    assert cli("search", "Clusterwoche", config=config).out.splitlines()[0] == "unknown     Clusterwoche ohne Datum"


def test_scrapy_crawl_uses_the_configurations_crawler_settings(tmp_path, site_copy) -> None:
    # `scrapy crawl NAME` used to apply only the project defaults: DOWNLOAD_DELAY stayed 2.0 when the
    # configuration said 0.2, and the User-Agent lacked the contact.
    site = site_copy()
    make_site(site)
    config = write_config(tmp_path / "cw.toml", [{"name": "press", "kind": "feed", "url": site.url + "/feed.xml"}],
                          crawler={"download_delay": 0.2, "contact": "ops@example.org", "timeout": 7})
    env = {**os.environ, "CLUSTERWATCH_CONFIG": str(config)}
    crawl = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "press", "-s", "LOG_LEVEL=INFO"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert crawl.returncode == 0, crawl.stderr
    overridden = crawl.stderr[crawl.stderr.index("Overridden settings"):]
    assert "'DOWNLOAD_DELAY': 0.2" in overridden and "'DOWNLOAD_TIMEOUT': 7" in overridden
    agents = {headers.get("User-Agent") for _, _, headers in site.requests}
    assert agents == {"clusterwatch/0.1 (+https://github.com/clusterwatch/clusterwatch) contact: ops@example.org"}
