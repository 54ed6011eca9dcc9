"""Exports (CSV, JSON, Atom) and `clusterwatch browse`, on real datasets built the way the product
builds them: announcements through ``Store.ingest``, events and evidence as the detector stores them."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tracemalloc
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree

from crawler.items import AnnouncementItem
from crawler.store import Store, connect_readonly
from monitor import export as export_module
from monitor.cli import State, browse_command
from monitor.events import open_dataset
from monitor.export import ExportError, browse_metadata, export

ATOM = "{http://www.w3.org/2005/Atom}"
MINISTRY = "https://www.bmwi.de/Redaktion/DE/Pressemitteilungen/2014/20140703-go-cluster-100-mitglied.html"
AGGREGATOR = "https://news.example.org/?p=4711"
PLATFORM = "https://www.clusterplattform.de/CLUSTER/Redaktion/DE/Kurzmeldungen/Aktuelles/2020/1_Quartal/20200302_kiel.html"
COUNT_PAGE = "https://www.clusterplattform.de/CLUSTER/Redaktion/DE/Kurzmeldungen/Aktuelles/2013/2_Quartal/20130502_90.html"
OTHER = "https://www.bmwe.de/Redaktion/DE/Pressemitteilungen/2025/20250910-haushalt.html"
UNDATED = "https://www.clusterplattform.de/CLUSTER/Navigation/DE/Clusterpolitik/Bund/go-cluster/go-cluster.html"
EVIDENCE_100 = ("Das Innovationscluster Automotive Nordwest e. V. aus Bremen ist heute als 100. Mitglied in das "
                "Exzellenzprogramm „go-cluster“ des Bundesministeriums für Wirtschaft und Energie aufgenommen worden.")
EVIDENCE_KIEL = "Die Hafen Kiel GmbH ist als 50. Mitglied in das Netzwerk Nord aufgenommen worden."
TITLE_100 = "go-cluster: 100. Mitglied — Innovationscluster Automotive Nordwest e. V. (Bremen)"
TITLE_KIEL = "Netzwerk Nord: 50. Mitglied — Hafen Kiel GmbH (Kiel)"

RELEASE = (
    EVIDENCE_100 + " Seit 2008 verfolgt das Cluster mit Unternehmen und wissenschaftlichen Einrichtungen das Ziel, "
    "die Region Nordwest als automobiles Kompetenzzentrum bekannter zu machen – mit Erfolg. Uwe Beckmeyer, "
    "Parlamentarischer Staatssekretär: „Die Tatsache, dass wir nun die 100 ‚voll machen‘, beweist: Das Programm "
    "‚go-cluster‘ ist eine wahre Erfolgsgeschichte.“ Das Programm „go-cluster“ unterstützt seit Mitte 2012 seine "
    "Mitglieder bei der Weiterentwicklung des Clustermanagements hin zu mehr Exzellenz."
)


def _ingest(store: Store, url: str, source: str, title: str | None, body: str, published: str | None,
            **kw: object) -> int:
    return store.ingest(AnnouncementItem(url=url, source=source, title=title, body=body, published=published,
                                         **kw)).announcement_id  # type: ignore[arg-type]


def _event(conn: sqlite3.Connection, key: str, kind: str, programme: str, number: int | None, member: str | None,
           place: str | None, published: str, milestone: bool, evidence: list[tuple[int, str]],
           retracted: bool = False) -> int:
    cur = conn.execute(
        "INSERT INTO events (key, kind, programme, number, member, place, published, milestone, milestone_key,"
        " retracted, first_detected) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (key, kind, programme, number, member, place, published, int(milestone),
         f"{programme.casefold()}|{number}" if milestone else None, int(retracted), "2026-11-20T08:00:00+00:00"))
    for ann_id, sentence in evidence:
        conn.execute("INSERT INTO evidence (event_id, announcement_id, sentence, rule, published, detected)"
                     " VALUES (?,?,?,?,?,?)", (cur.lastrowid, ann_id, sentence, "ordinal_joined", published,
                                               "2026-11-20T08:00:00+00:00"))
    assert cur.lastrowid is not None
    return cur.lastrowid


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small dataset: the go-cluster story (ministry release plus an aggregator's copy), a count
    before it, another programme's milestone, an unrelated release, an undated programme page."""
    path = tmp_path_factory.mktemp("export") / "watch.db"
    store = Store(path)
    release = _ingest(store, MINISTRY, "bmwi-press", "Staatssekretär Beckmeyer begrüßt das 100. Mitglied bei go-cluster",
                      RELEASE, "2014-07-03T10:00:00+02:00", descriptor="Pressemitteilung", tags=["Cluster"])
    copy = store.ingest(AnnouncementItem(url=AGGREGATOR, source="aggregator", title="Beckmeyer begrüßt 100. Mitglied",
                                         body=RELEASE, published="2014-07-04"))
    assert copy.status == "duplicate" and copy.announcement_id == release
    count = _ingest(store, COUNT_PAGE, "clusterplattform", "go-cluster wächst",
                    "Das Exzellenzprogramm go-cluster zählt nun 90 Mitglieder aus ganz Deutschland. Weitere "
                    "Clustermanagements haben ihr Interesse an einer Aufnahme bekundet.", "2013-05-02")
    kiel = _ingest(store, PLATFORM, "clusterplattform", "Netzwerk Nord begrüßt Hafen Kiel",
                   EVIDENCE_KIEL + " Der Hafenbetreiber bringt Erfahrung\x0c in Logistik und Digitalisierung ein "
                   "und will gemeinsam mit den Partnern neue Projekte anstoßen.", "2020-03-02T09:30:00")
    _ingest(store, OTHER, "bmwe-press", "Bundeshaushalt 2026 beschlossen",
            "Der Bundestag hat den Haushalt für das kommende Jahr beschlossen. Die Mittel für Forschung und "
            "Innovation steigen leicht.", "2025-09-10")
    undated = _ingest(store, UNDATED, "clusterplattform", "go-cluster: Exzellenz für Clustermanagements",
                      "Gegenwärtig nutzen 84 Mitglieder das Angebot des Programms go-cluster und seine Leistungen.",
                      None, published_reason="no date on the page")
    store.close()

    db = open_dataset(path)
    conn = db.conn
    _event(conn, "member_count|go-cluster|90", "member_count", "go-cluster", 90, None, None, "2013-05-02", False,
           [(count, "Das Exzellenzprogramm go-cluster zählt nun 90 Mitglieder aus ganz Deutschland.")])
    _event(conn, "member_ordinal|go-cluster|100", "member_ordinal", "go-cluster", 100,
           "Innovationscluster Automotive Nordwest e. V.", "Bremen", "2014-07-03", True, [(release, EVIDENCE_100)])
    _event(conn, "member_ordinal|netzwerk nord|50", "member_ordinal", "Netzwerk Nord", 50, "Hafen Kiel GmbH", "Kiel",
           "2020-03-02", True, [(kiel, EVIDENCE_KIEL)])
    # Retracted after re-analysis: never exported.
    _event(conn, "member_ordinal|go-cluster|150", "member_ordinal", "go-cluster", 150, "Phantom e. V.", None,
           "2021-01-01", True, [], retracted=True)
    conn.execute("UPDATE announcements SET analysed_at = '2026-11-20T08:00:00+00:00' WHERE id != ?", (undated,))
    for source, started, status in [("bmwi-press", "2026-11-19T08:00:00+00:00", "ok"),
                                     ("bmwi-press", "2026-11-20T08:00:00+00:00", "failed"),
                                     ("clusterplattform", "2026-11-20T08:00:00+00:00", "ok")]:
        conn.execute("INSERT INTO crawl_runs (source, started, finished, status, pages, new, errors, error_messages)"
                     " VALUES (?,?,?,?,?,?,?,?)", (source, started, started, status, 3, 1, int(status == "failed"),
                                                   json.dumps(["HTTP 503"] if status == "failed" else [])))
    conn.close()
    return path


@pytest.fixture
def conn(dataset: Path):
    c = connect_readonly(dataset)
    yield c
    c.close()


def run_export(conn: sqlite3.Connection, what: str, fmt: str, **kw: object) -> tuple[int, str]:
    out = io.StringIO(newline="")
    n = export(conn, what, fmt, out, **kw)  # type: ignore[arg-type]
    return n, out.getvalue()


# --- Atom -----------------------------------------------------------------------------------------


def test_milestone_feed_parses_and_lists_the_milestones_with_their_sources(conn) -> None:
    n, xml = run_export(conn, "milestones", "atom", self_url="https://analysts.example.org/milestones.atom")
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and n == 2
    assert feed.feed.title == "clusterwatch: membership milestones"
    assert feed.feed.updated.startswith("2020-03-02")
    assert [e.title for e in feed.entries] == [TITLE_100, TITLE_KIEL]
    first = feed.entries[0]
    assert [(link.rel, link.href) for link in first.links] == [("alternate", MINISTRY), ("related", AGGREGATOR)]
    assert first.link == MINISTRY
    assert first.summary == EVIDENCE_100
    assert first.published.startswith("2014-07-03") and first.updated.startswith("2014-07-03")
    assert first.id.startswith("tag:clusterwatch,2026:event/")
    assert {t.term for t in first.tags} == {"go-cluster", "member_ordinal"}
    assert feed.feed.links[0].rel == "self"
    # Entry ids are stable: the same dataset gives the same ids (a reader shows nothing twice).
    assert [e.id for e in feedparser.parse(run_export(conn, "milestones", "atom")[1]).entries] == \
        [e.id for e in feed.entries]
    assert len({e.id for e in feed.entries}) == 2


def test_feed_is_well_formed_atom_with_the_required_elements(conn) -> None:
    for what in ("milestones", "announcements"):
        _, xml = run_export(conn, what, "atom")
        root = etree.fromstring(xml.encode("utf-8"))
        assert root.tag == ATOM + "feed"
        for name in ("id", "title", "updated", "author"):
            assert root.find(ATOM + name) is not None, name
        entries = root.findall(ATOM + "entry")
        assert entries
        for entry in entries:
            for name in ("id", "title", "updated"):
                assert entry.find(ATOM + name) is not None
            assert [link.get("rel") for link in entry.findall(ATOM + "link")].count("alternate") == 1


def test_announcement_feed_has_an_entry_per_announcement_with_its_text(conn) -> None:
    n, xml = run_export(conn, "announcements", "atom")
    feed = feedparser.parse(xml)
    assert not feed.bozo and n == len(feed.entries) == 5
    by_link = {e.link: e for e in feed.entries}
    release = by_link[MINISTRY]
    assert [link.href for link in release.links] == [MINISTRY, AGGREGATOR]
    assert release.content[0].value == RELEASE
    # A form feed in a crawled text is not allowed in XML; the feed stays valid without it.
    assert "Erfahrung in Logistik" in by_link[PLATFORM].content[0].value
    assert "published" not in by_link[UNDATED]  # no invented date
    assert by_link[UNDATED].updated  # but Atom needs updated: when it was first seen


def test_empty_exports_are_valid(conn) -> None:
    n, text = run_export(conn, "milestones", "json", since="2030-01-01")
    assert n == 0 and json.loads(text) == []
    n, text = run_export(conn, "announcements", "csv", since="2030-01-01")
    assert n == 0 and list(csv.reader(io.StringIO(text))) == [list(export_module.ANNOUNCEMENT_FIELDS)]
    n, xml = run_export(conn, "milestones", "atom", programme="no such programme")
    feed = feedparser.parse(xml)
    assert n == 0 and not feed.bozo and feed.entries == [] and feed.feed.title.endswith("no such programme")


# --- CSV and JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["milestones", "announcements"])
def test_csv_and_json_hold_the_same_rows(conn, what: str) -> None:
    n_json, text = run_export(conn, what, "json")
    records = json.loads(text)
    n_csv, table = run_export(conn, what, "csv")
    reader = list(csv.DictReader(io.StringIO(table)))
    assert n_json == n_csv == len(records) == len(reader) > 0
    for record, row in zip(records, reader, strict=True):
        assert list(row) == list(record)
        for key, value in record.items():
            if isinstance(value, list):
                assert json.loads(row[key]) == value
            else:
                assert row[key] == ("" if value is None else str(value)), key


def test_milestone_json_has_title_evidence_and_sources(conn) -> None:
    records = json.loads(run_export(conn, "milestones", "json")[1])
    assert records[0]["title"] == TITLE_100
    assert records[0]["evidence"] == EVIDENCE_100
    assert records[0]["sources"] == [MINISTRY, AGGREGATOR]
    assert (records[0]["programme"], records[0]["number"], records[0]["published"]) == ("go-cluster", 100, "2014-07-03")
    assert [r["number"] for r in records] == [100, 50]  # the 90-member count is no milestone; 150 is retracted


def test_announcement_json_lists_every_address_and_parses_tags(conn) -> None:
    records = {r["url"]: r for r in json.loads(run_export(conn, "announcements", "json")[1])}
    assert records[MINISTRY]["seen_at"] == [MINISTRY, AGGREGATOR]
    assert records[MINISTRY]["tags"] == ["Cluster"]
    assert records[MINISTRY]["body"] == RELEASE
    assert records[UNDATED]["published"] is None and records[UNDATED]["published_reason"] == "no date on the page"


# --- filters --------------------------------------------------------------------------------------


def test_since_and_programme_filter_milestones(conn) -> None:
    def numbers(**kw: object) -> list[int]:
        return [r["number"] for r in json.loads(run_export(conn, "milestones", "json", **kw)[1])]

    assert numbers(since="2015-01-01") == [50]
    assert numbers(since="2014-07-03") == [100, 50]  # inclusive
    assert numbers(since="2014-07-03T12:00:00") == [100, 50]  # a timestamp counts as its day
    assert numbers(programme="GO-CLUSTER") == [100]
    assert numbers(programme="go-cluster", since="2015-01-01") == []


def test_since_and_programme_filter_announcements(conn) -> None:
    def urls(**kw: object) -> set[str]:
        return {r["url"] for r in json.loads(run_export(conn, "announcements", "json", **kw)[1])}

    assert urls(since="2020-01-01") == {PLATFORM, OTHER, UNDATED}  # undated: counted from when it was first seen
    assert urls(since="2025-09-11") == {UNDATED}
    # About the programme: the announcements its events rest on and those that name it.
    assert urls(programme="go-cluster") == {MINISTRY, COUNT_PAGE, UNDATED}
    assert urls(programme="Netzwerk Nord") == {PLATFORM}
    assert urls(programme="go-cluster", since="2014-01-01") == {MINISTRY, UNDATED}


def test_bad_arguments_raise_named_errors(conn) -> None:
    with pytest.raises(ExportError, match="not a date"):
        run_export(conn, "milestones", "json", since="last tuesday")
    with pytest.raises(ExportError, match="unknown format"):
        run_export(conn, "milestones", "yaml")
    with pytest.raises(ExportError, match="cannot export"):
        run_export(conn, "events", "json")


def test_milestones_of_a_dataset_without_events_say_what_to_do(tmp_path: Path) -> None:
    store = Store(tmp_path / "crawled.db")  # the crawler's tables only
    _ingest(store, OTHER, "bmwe-press", "Haushalt", "Der Bundestag hat den Haushalt beschlossen.", "2025-09-10")
    store.close()
    c = connect_readonly(tmp_path / "crawled.db")
    try:
        with pytest.raises(ExportError, match="clusterwatch detect"):
            run_export(c, "milestones", "atom")
        assert run_export(c, "announcements", "json", programme="Haushalt")[0] == 1
    finally:
        c.close()


# --- the command line -----------------------------------------------------------------------------


def test_cli_writes_the_feed_to_a_file(dataset: Path, tmp_path: Path, cli) -> None:
    target = tmp_path / "out" / "milestones.atom"
    target.parent.mkdir()
    result = cli("--db", str(dataset), "export", "--what", "milestones", "--format", "atom", "-o", str(target))
    assert result.code == 0, result.err
    assert result.out == "" and "2 milestones written" in result.err
    feed = feedparser.parse(target.read_bytes())
    assert not feed.bozo and [e.title for e in feed.entries] == [TITLE_100, TITLE_KIEL]
    assert os.listdir(target.parent) == ["milestones.atom"]  # no temporary file left behind

    # Format from the file's extension; filters; --db after the command name.
    table = tmp_path / "go.csv"
    result = cli("export", "--what", "announcements", "--since", "2014-01-01", "--programme", "go-cluster",
                 "-o", str(table), "--db", str(dataset))
    assert result.code == 0, result.err
    rows = list(csv.DictReader(table.open(encoding="utf-8", newline="")))
    assert {r["url"] for r in rows} == {MINISTRY, UNDATED}


def test_cli_writes_utf8_json_to_stdout_and_reports_bad_input(dataset: Path, cli) -> None:
    result = cli("--db", str(dataset), "export", "--what", "milestones", "--format", "json",
                 env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
    assert result.code == 0, result.err
    assert [r["title"] for r in json.loads(result.out)] == [TITLE_100, TITLE_KIEL]
    bad = cli("--db", str(dataset), "export", "--since", "yesterday")
    assert bad.code == 2 and "not a date" in bad.err and "Traceback" not in bad.err
    missing = cli("--db", str(dataset.parent / "none.db"), "export")
    assert missing.code == 1 and "no dataset at" in missing.err


def test_export_and_browse_have_help_with_an_example(cli) -> None:
    for name in ("export", "browse"):
        result = cli(name, "--help")
        assert result.code == 0 and "Example" in result.out, result.err


# --- streaming ----------------------------------------------------------------------------------


def test_large_exports_stream(tmp_path: Path) -> None:
    """20,000 announcements: the Python heap stays far below the size of what is written."""
    path = tmp_path / "large.db"
    db = open_dataset(path)
    body = "Das Exzellenzprogramm go-cluster begrüßt ein neues Mitglied aus der Region. " * 8
    with db.atomic():
        for start in range(0, 20_000, 1_000):
            batch = range(start, start + 1_000)
            db.conn.executemany(
                "INSERT INTO announcements (id, url, title, published, source, body, first_seen, last_seen)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [(i + 1, f"https://example.org/news/{i}", f"Meldung {i} <&>", f"2024-{i % 12 + 1:02d}-01",
                  "example", f"{i}: {body}", "2026-11-20T08:00:00+00:00", "2026-11-20T08:00:00+00:00")
                 for i in batch])
            db.conn.executemany(
                "INSERT INTO sightings (announcement_id, url, source, match, first_seen, last_seen)"
                " VALUES (?,?,?,?,?,?)",
                [(i + 1, f"https://example.org/news/{i}", "example", "origin", "2026-11-20T08:00:00+00:00",
                  "2026-11-20T08:00:00+00:00") for i in batch])
    db.conn.close()
    c = connect_readonly(path)
    try:
        for fmt in ("csv", "json", "atom"):
            target = tmp_path / f"large.{fmt}"
            with target.open("w", encoding="utf-8", newline="") as out:
                tracemalloc.start()
                try:
                    n = export(c, "announcements", fmt, out)
                    peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
            size = target.stat().st_size
            assert n == 20_000
            assert size > 10_000_000, (fmt, size)
            assert peak < size / 20, (fmt, peak, size)
        # Well-formed throughout (feedparser takes too long over 20,000 entries; lxml checks the XML).
        titles = [el.text for _, el in etree.iterparse(str(tmp_path / "large.atom"), tag=ATOM + "title")]
        assert len(titles) == 20_001 and titles[1] == "Meldung 0 <&>"
    finally:
        c.close()


# --- Datasette ----------------------------------------------------------------------------------


def _metadata() -> dict:
    import yaml  # PyYAML comes with Datasette (the web extra)

    return yaml.safe_load(export_module.METADATA.read_text(encoding="utf-8"))


def test_metadata_describes_the_tables_and_its_queries_run(conn) -> None:
    metadata = _metadata()
    assert metadata["title"] and metadata["description_html"] and metadata["license"] and metadata["source"]
    database = metadata["databases"][export_module.METADATA_DATABASE]
    tables = database["tables"]
    for table in ("announcements", "sightings", "revisions", "crawl_runs", "events", "evidence", "alerts"):
        assert tables[table]["description"], table
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert set(tables) <= existing
    queries = database["queries"]
    assert set(queries) == {"latest_milestones", "programme_timeline", "announcements_per_source_month",
                            "search_announcements", "source_health"}
    params = {"programme": "go-cluster", "q": '"go-cluster" Mitglied'}
    results = {name: conn.execute(q["sql"], params).fetchall() for name, q in queries.items()}
    assert [r[2:4] for r in results["latest_milestones"]] == [("member_ordinal", 50), ("member_ordinal", 100)]
    assert [r[2] for r in results["programme_timeline"]] == [90, 100]
    assert conn.execute(queries["search_announcements"]["sql"], {"q": ""}).fetchall() == []  # the empty form


def test_browse_metadata_follows_the_file_name(tmp_path: Path) -> None:
    metadata = browse_metadata(tmp_path / "my-data.db")
    assert list(metadata["databases"]) == ["my-data"]
    assert "latest_milestones" in metadata["databases"]["my-data"]["queries"]


def test_browse_without_datasette_says_how_to_install_it(dataset: Path, monkeypatch) -> None:
    monkeypatch.setattr(export_module, "datasette_available", lambda: False)
    result = CliRunner().invoke(browse_command, ["--db", str(dataset)], obj=State(None, None))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: browse needs Datasette, which is not installed: pip install 'clusterwatch[web]' "
        "(in a checkout: pip install -e '.[web]')"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_browse_serves_the_canned_queries(dataset: Path, tmp_path: Path) -> None:
    if not export_module.datasette_available():  # not a skip: the test extra includes the web extra
        pytest.fail("datasette is not installed; pip install -e '.[test]' (it is part of the test extra)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}/{dataset.stem}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--db", str(dataset), "browse", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                milestones = _get_json(f"{base}/latest_milestones.json?_shape=array")
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail(f"Datasette did not start: {proc.communicate()[0]}")
                time.sleep(0.2)
        assert [(m["programme"], m["number"], m["member"], m["place"], m["source_url"], m["reports"])
                for m in milestones] == [
            ("Netzwerk Nord", 50, "Hafen Kiel GmbH", "Kiel", PLATFORM, 1),
            ("go-cluster", 100, "Innovationscluster Automotive Nordwest e. V.", "Bremen", MINISTRY, 1),
        ]
        timeline = _get_json(f"{base}/programme_timeline.json?_shape=array&programme=go-cluster")
        assert [(t["number"], t["milestone"]) for t in timeline] == [(90, 0), (100, 1)]
        # By word since migration 0009 (the trigram index matched inside words): Mitglied* for Mitglieder.
        q = urllib.parse.quote('"go-cluster" Mitglied*')
        found = _get_json(f"{base}/search_announcements.json?_shape=array&q={q}")
        assert {f["url"] for f in found} == {MINISTRY, COUNT_PAGE, UNDATED}
        health = {h["source"]: h for h in _get_json(f"{base}/source_health.json?_shape=array")}
        assert health["bmwi-press"]["status"] == "failed" and health["bmwi-press"]["failures_since_ok"] == 1
        months = _get_json(f"{base}/announcements_per_source_month.json?_shape=array")
        assert {"source": "aggregator", "month": "2014-07", "announcements": 1} in months
        # The metadata's descriptions are served, and Datasette cannot write to the dataset.
        served = _get_json(f"http://127.0.0.1:{port}/-/metadata.json")
        described = served["databases"][dataset.stem]["tables"]["announcements"]["description"]
        assert "One row per distinct announcement" in described
        with pytest.raises(urllib.error.HTTPError):
            _get_json(f"{base}.json?sql=" + urllib.parse.quote("delete from announcements"))
        proc.send_signal(signal.SIGTERM)  # browse passes it on to Datasette
        proc.wait(timeout=20)
        # Datasette stopped with it: nothing listens on the port any more.
        time.sleep(0.5)
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
    finally:
        try:  # whatever failed above, nothing this test started outlives it
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    c = connect_readonly(dataset)
    assert c.execute("SELECT count(*) FROM announcements").fetchone()[0] == 5
    c.close()
