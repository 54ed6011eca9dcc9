"""`clusterwatch demo`: the whole product, offline, on the snapshot bundled in data/snapshot.

The snapshot's sites are served on loopback, crawled for real, analysed, and the alerts delivered
into a local Maildir. The dataset and the mail stay in the demo folder for the user to explore.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.errors import ClusterwatchError
from crawler.resources import bundled
from monitor.replica import SiteServer

SNAPSHOT = bundled("snapshot")

LISTING_BMWE = "/SiteGlobals/Forms/Suche/Pressemitteilungen_Formular.html"
FEED_BMWE = "/SiteGlobals/Functions/RSSFeed/DE/RSSNewsfeed/RSS_Pressemitteilungen.xml"
LISTING_CP = "/CLUSTER/Navigation/DE/Aktuelles/Kurzmeldungen/kurzmeldungen.html"
PROGRAMME_CP = "/CLUSTER/Navigation/DE/Clusterpolitik/Bund/go-cluster/go-cluster.html"


class DemoError(ClusterwatchError, RuntimeError):
    pass


@dataclass
class DemoResult:
    folder: Path
    config: Path
    runs: list[dict[str, Any]] = field(default_factory=list)
    announcements: int = 0
    sightings: int = 0
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    delivered: int = 0
    maildir: Path | None = None
    seconds: float = 0.0


def demo_config(folder: Path, urls: dict[str, str]) -> str:
    bmwe, cp, agg = urls["bmwe"], urls["clusterplattform"], urls["aggregator"]
    return f"""# Written by `clusterwatch demo` for the snapshot served on loopback (the ports change each run).
database = "clusterwatch.db"

[crawler]
contact = "demo@localhost"
download_delay = 0
autothrottle = false
retries = 0
timeout = 10
concurrent_per_domain = 8
# The snapshot is served on this machine's loopback, which the crawler refuses unless told.
allow_private_addresses = true

[[sources]]
name = "bmwe-press-feed"
kind = "feed"
url = "{bmwe}{FEED_BMWE}"

[[sources]]
name = "bmwe-press"
kind = "gsb"
url = "{bmwe}{LISTING_BMWE}"

[[sources]]
name = "clusterplattform-news"
kind = "gsb"
url = "{cp}{LISTING_CP}"

[[sources]]
name = "go-cluster-programme"
kind = "article"
url = "{cp}{PROGRAMME_CP}"
revisit = true

[[sources]]
name = "aggregator"
kind = "article"
url = "{agg}/"
aggregator = true
follow = "\\\\?p=\\\\d+$"

[email]
# No SMTP host: alerts are delivered into this Maildir, readable by any mail client (mutt -f mail).
maildir = "mail"
sender = "clusterwatch demo <clusterwatch@localhost>"

[[subscribers]]
email = "analyst@example.org"
programmes = []
events = ["milestone"]
"""


def run_demo(folder: Path, *, echo: Callable[[str], None] = print) -> DemoResult:
    from crawler.config import load
    from crawler.worker import WorkerPool
    from monitor.alerts.outbox import deliver
    from monitor.cycle import run_detection
    from monitor.events import list_events, open_dataset

    started = time.monotonic()
    missing = [name for name in ("bmwe", "clusterplattform", "aggregator") if not (SNAPSHOT / name).is_dir()]
    if missing:
        raise DemoError(f"the bundled snapshot is incomplete (missing {', '.join(missing)} in {SNAPSHOT}); "
                        "reinstall clusterwatch (pip install --force-reinstall clusterwatch)")
    folder.mkdir(parents=True, exist_ok=True)
    # A demo run starts from scratch; only what the demo itself wrote is removed.
    for name in ("clusterwatch.db", "clusterwatch.db-wal", "clusterwatch.db-shm"):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "mail", ignore_errors=True)

    servers = {name: SiteServer(SNAPSHOT / name).start() for name in ("bmwe", "clusterplattform", "aggregator")}
    try:
        config_path = folder / "clusterwatch.toml"
        config_path.write_text(demo_config(folder, {n: s.url for n, s in servers.items()}), encoding="utf-8")
        result = DemoResult(folder=folder, config=config_path)
        echo(f"Serving the snapshot on loopback: {', '.join(f'{n} {s.url}' for n, s in servers.items())}")
        echo("Crawling 5 sources ...")
        config = load(config_path)
        # Through the library: the crawls are jobs of one crawl worker, side by side, and their
        # runs are read from the dataset (nothing a child prints is parsed).
        pool = WorkerPool(str(config_path), config.database, size=1)
        try:
            jobs = [pool.submit(s.name, 300) for s in config.sources if s.enabled]
            result.runs = [job.result() for job in jobs]
        finally:
            pool.close()
        if not any(r["status"] in ("ok", "partial") for r in result.runs):
            first = next((m for r in result.runs for m in json.loads(r["error_messages"])), "no message")
            raise DemoError(f"the crawl failed: {first}")
        run_detection(config)
        report = deliver(config)
        result.delivered = report.sent
        result.maildir = folder / "mail"
        db = open_dataset(config.database)
        try:
            conn = db.conn
            result.announcements = conn.execute("SELECT count(*) FROM announcements").fetchone()[0]
            result.sightings = conn.execute("SELECT count(*) FROM sightings").fetchone()[0]
            result.duplicates = [dict(zip(("title", "url", "source", "also"), r, strict=True)) for r in conn.execute(
                "SELECT a.title, a.url, a.source, group_concat(s.url || ' [' || s.source || ', ' || s.match"
                " || coalesce(' ' || printf('%.2f', s.similarity), '') || ']', char(10))"
                " FROM announcements a JOIN sightings s ON s.announcement_id = a.id AND s.url != a.url"
                " WHERE s.match IN ('near', 'text') GROUP BY a.id ORDER BY a.published")]
            result.events = list(list_events(conn, milestones_only=True))
        finally:
            db.conn.close()
    finally:
        for server in servers.values():
            server.stop()
    result.seconds = time.monotonic() - started
    return result


def describe(result: DemoResult, echo: Callable[[str], None] = print) -> None:
    from tabulate import tabulate

    from monitor.labels import event_label

    echo("")
    echo(tabulate([[r["source"], r["status"], r["pages"], r["new"], r["duplicates"], r["errors"]] for r in result.runs],
                  headers=["source", "status", "pages", "new", "duplicates", "errors"]))
    echo("")
    echo(f"Dataset: {result.announcements} announcements, seen at {result.sightings} addresses.")
    if result.duplicates:
        echo("Republications recognised as the same announcement:")
        for d in result.duplicates:
            echo(f"  - {d['title']}\n      {d['url']} [{d['source']}]")
            for line in d["also"].splitlines():
                echo(f"      = {line}")
    echo("")
    echo(f"Milestones ({len(result.events)}):")
    for e in result.events:
        who = f" — {e['member']}" + (f" ({e['place']})" if e["place"] else "") if e["member"] else ""
        echo(f"  * {e['published'] or '????-??-??'}  {e['programme']}: {event_label(e['kind'], e['number'])}{who}")
        echo(f"      „{e['evidence']}“")
        for url in e["sources"]:
            echo(f"      {url}")
    echo("")
    echo(f"Emails delivered: {result.delivered}, into the Maildir {result.maildir}")
    echo(f"Done in {result.seconds:.1f} s. Explore the result:")
    cfg = result.config
    echo(f"  clusterwatch --config {cfg} milestones")
    echo(f"  clusterwatch --config {cfg} timeline go-cluster")
    echo(f"  clusterwatch --config {cfg} search \"go-cluster\"")
    echo(f"  clusterwatch --config {cfg} query \"select title, published, source from announcements"
         " order by published\"")
