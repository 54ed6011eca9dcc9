"""History from the web archives: `clusterwatch backfill` looks each source up in an archive's CDX
index, fetches every distinct capture in its original form and runs it through the same
extraction as a live page of that source kind, into the same Store.

Each capture is stored in one transaction together with its provenance (``archive``,
``archive_timestamp``, ``archive_url``), the events found in its text and its row in
``archive_captures``; so a run killed at any moment resumes without fetching a stored capture
again, and leaves no text that a later ``clusterwatch detect`` could mistake for news. Events are
stored without alerts: a backfill never emails (an event already known when the live crawl
reports it again is not new, so it is never alerted later either).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.archive import (
    ARCHIVES,
    ArchiveError,
    Capture,
    CDXClient,
    Fetched,
    Limits,
    cdx_timestamp,
    client_for,
    host_variants,
)
from crawler.canonical import URLError, canonical_url
from crawler.config import Config, ConfigError
from crawler.items import AnnouncementItem
from crawler.sources import Source
from crawler.store import BadItem, Prepared, Store, apply_migrations, connect_readonly, immediate, now_iso
from monitor.events import EventRecorder

DEFAULT_MAX_CAPTURES = 500
_WAYBACK_PATH = re.compile(r"/web/(\d{1,14})(?:[a-z]{2}_)?/(.+)$")


@dataclass
class SourceReport:
    source: str
    listed: int = 0
    known: int = 0  # handled by an earlier run
    fetched: int = 0
    stored: int = 0  # new announcements
    updated: int = 0  # revisions
    history: int = 0  # older texts kept beside a newer one
    duplicates: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    left: int = 0  # not fetched: the run's limit was reached
    events: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Settings:
    archive: str
    cdx_url: str
    wayback_url: str
    limits: Limits
    max_captures: int


def settings(config: Config, archive: str = "wayback") -> Settings:
    if archive not in ARCHIVES:
        raise ConfigError(f"archive {archive!r} is not supported yet; supported: {', '.join(sorted(ARCHIVES))}")
    section = config.archive
    where = str(config.path) if config.path else "built-in defaults"
    limits = Limits()
    numbers = {"search_per_minute": float, "fetch_per_minute": float, "timeout": float, "backoff": float,
               "max_backoff": float, "retries": int, "page_size": int, "max_captures": int}
    for key, kind in numbers.items():
        value = section.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 \
                or (kind is int and not isinstance(value, int)):
            raise ConfigError(f"{where}: archive.{key} must be a {'whole ' if kind is int else ''}number >= 0")
        if key != "max_captures":
            setattr(limits, key, kind(value))
    urls = {}
    # The Wayback Machine: its CDX search and its captures; Common Crawl: its list of crawls
    # (each with its own index) and the folder of its WARC files.
    names = {"wayback": {"cdx_url": "cdx_url", "wayback_url": "wayback_url"},
             "commoncrawl": {"cdx_url": "commoncrawl_index_url", "wayback_url": "commoncrawl_data_url"}}[archive]
    for key, name in names.items():
        value = section.get(name, ARCHIVES[archive][key])
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: archive.{name} must be an http(s) address")
        urls[key] = value
    return Settings(archive, urls["cdx_url"], urls["wayback_url"], limits,
                    int(section.get("max_captures", DEFAULT_MAX_CAPTURES)))


# --- where a source's pages live in the archive -----------------------------------------------


def archive_prefixes(source: Source) -> list[tuple[str, str]]:
    """(address, matchType) pairs to look up: the configured ``archive_prefixes`` or the kind's
    default, under every domain the source has had."""
    if source.archive_prefixes:
        given = [(p.rstrip("*"), "prefix") if p.endswith(("/", "*")) else (p, "exact")
                 for p in source.archive_prefixes]
    else:
        given = []
        for url in source.urls:
            if source.kind == "gsb":
                given.append((_gsb_article_folder(url), "prefix"))
            elif source.kind == "article" and source.options.get("follow"):
                given.append((url.rsplit("/", 1)[0] + "/", "prefix"))
            else:
                given.append((url.split("#")[0], "exact"))
    out: list[tuple[str, str]] = []
    for prefix, match_type in given:
        for variant in host_variants(prefix, source.allowed_domains):
            if (variant, match_type) not in out:
                out.append((variant, match_type))
    return out


def _gsb_article_folder(url: str) -> str:
    """A Government Site Builder site keeps its articles under ``[<Site>/]Redaktion/``:
    ``/CLUSTER/Navigation/…`` → ``/CLUSTER/Redaktion/``, ``/SiteGlobals/…`` → ``/Redaktion/``."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    site = ""
    if segments and segments[0] not in ("SiteGlobals", "Navigation", "Redaktion") and len(segments) > 1 \
            and segments[1] in ("Navigation", "SiteGlobals", "Redaktion"):
        site = segments[0] + "/"
    return f"{parts.scheme}://{parts.netloc}/{site}Redaktion/"


# --- the run ----------------------------------------------------------------------------------


Echo = Callable[[str], None]


class Backfill:
    def __init__(self, config: Config, sources: list[Source], *, archive: str = "wayback",
                 start: str | None = None, end: str | None = None, limit: int | None = None,
                 retry_failed: bool = False, progress: Echo | None = None, client: CDXClient | None = None):
        self.config = config
        self.sources = sources
        self.settings = settings(config, archive)
        self.start = cdx_timestamp(start)
        self.end = cdx_timestamp(end)
        if self.start and self.end and self.end[: len(self.start)] < self.start[: len(self.end)]:
            raise ConfigError(f"--to {end} is before --from {start}")
        self.limit = self.settings.max_captures if limit is None else limit
        self.retry_failed = retry_failed
        self.progress = progress
        self.client = client or client_for(archive, self.settings.cdx_url, self.settings.wayback_url,
                                           limits=self.settings.limits, user_agent=config.user_agent)
        self.fetched_total = 0
        self.started = time.monotonic()

    # The plan: what the index lists, less what an earlier run handled.

    def listed(self, source: Source, report: SourceReport) -> list[Capture]:
        captures: dict[str, Capture] = {}
        for prefix, match_type in archive_prefixes(source):
            try:
                for capture in self.client.captures(prefix, match_type=match_type, start=self.start, end=self.end):
                    captures.setdefault(capture.digest, capture)
            except ArchiveError as exc:
                report.errors.append(f"index search for {prefix}: {exc}")
        # Oldest first: revisions follow each other as they did, and a count is judged against
        # the numbers published before it.
        return sorted(captures.values(), key=lambda c: (c.timestamp, c.original))

    def handled(self, conn: Any, source: Source) -> dict[tuple[str, str], str]:
        try:
            found = conn.execute("SELECT timestamp, original, state, digest FROM archive_captures"
                                 " WHERE archive = ? AND source = ?", (self.settings.archive, source.name)).fetchall()
        except sqlite3.OperationalError:  # a dataset from before the backfill existed: nothing handled yet
            return {}
        out: dict[tuple[str, str], str] = {}
        for timestamp, original, state, digest in found:
            out[(timestamp, original)] = state
            if digest and state != "failed":
                out[("digest", digest)] = state
        return out

    def _todo(self, captures: list[Capture], handled: dict[tuple[str, str], str],
              report: SourceReport) -> list[Capture]:
        todo = []
        for c in captures:
            state = handled.get((c.timestamp, c.original)) or handled.get(("digest", c.digest))
            if state is None or (state == "failed" and self.retry_failed):
                todo.append(c)
            else:
                report.known += 1
        return todo

    def dry_run(self) -> list[SourceReport]:
        database = self.config.database
        conn = connect_readonly(database) if database.exists() else None
        reports = []
        try:
            for source in self.sources:
                report = SourceReport(source.name)
                captures = self.listed(source, report)
                report.listed = len(captures)
                todo = self._todo(captures, self.handled(conn, source) if conn else {}, report)
                report.left = len(todo)
                reports.append(report)
        finally:
            if conn is not None:
                conn.close()
        return reports

    def run(self) -> list[SourceReport]:
        store = Store(self.config.database)
        from monitor.migrations import migrations as monitor_migrations  # not at start-up: 70 ms

        apply_migrations(store.db, monitor_migrations, store.path)
        detector = EventRecorder(store.db, self.config.milestones, on_event=None)  # history: no alerts
        reports: dict[str, SourceReport] = {}
        try:
            # Every source's captures in one sequence, oldest first: the milestones found in
            # history are judged in the order they happened, whichever sources are named first.
            plan: list[tuple[Capture, Source]] = []
            for source in self.sources:
                report = reports[source.name] = SourceReport(source.name)
                captures = self.listed(source, report)
                report.listed = len(captures)
                plan += [(c, source) for c in self._todo(captures, self.handled(store.conn, source), report)]
                report.errors += self._retries()
            plan.sort(key=lambda pair: (pair[0].timestamp, pair[0].original, pair[1].name))
            for position, (capture, source) in enumerate(plan):
                if self.fetched_total >= self.limit:
                    for _, rest in plan[position:]:
                        reports[rest.name].left += 1
                    break
                self._one(store, detector, source, capture, reports[source.name])
                reports[source.name].errors += self._retries()
                self._show(reports[source.name], len(plan) - position - 1)
        finally:
            store.close()
        return list(reports.values())

    def _retries(self) -> list[str]:
        messages = [f"warning: {m}" for m in self.client.retry_messages[-20:]]
        self.client.retry_messages.clear()
        return messages

    def redetect(self) -> dict[str, int]:
        """Detection again over every archived text, current or kept as a revision, oldest first,
        without alerts. ``clusterwatch detect --all`` reads only each announcement's current text,
        so the events of older archived revisions lose their evidence; this finds them again."""
        store = Store(self.config.database)
        from monitor.migrations import migrations as monitor_migrations  # not at start-up: 70 ms

        apply_migrations(store.db, monitor_migrations, store.path)
        detector = EventRecorder(store.db, self.config.milestones, on_event=None)
        names = [s.name for s in self.sources]
        marks = ",".join("?" * len(names))
        texts = store.conn.execute(
            f"SELECT a.id, a.title, a.body, a.published, a.archive_timestamp, a.archive_url, a.language"
            f" FROM announcements a"
            f" WHERE a.archive IS NOT NULL AND a.source IN ({marks}) UNION ALL"
            f" SELECT a.id, r.title, r.body, a.published, r.archive_timestamp, r.archive_url, a.language"
            f" FROM revisions r"
            f" JOIN announcements a ON a.id = r.announcement_id WHERE r.archive IS NOT NULL AND a.source IN ({marks})"
            f" ORDER BY 5", (*names, *names)).fetchall()
        stats = {"texts": len(texts), "events": 0}
        try:
            for ann_id, title, body, published, timestamp, url, language in texts:
                capture = Capture(timestamp, url, "", "200", "")
                with immediate(store.conn):
                    stats["events"] += analyse(detector, ann_id, title, body, published, capture, language)
        finally:
            store.close()
        return stats

    def _show(self, report: SourceReport, left: int) -> None:
        if self.progress is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.fetched_total / elapsed * 60
        per_minute = self.settings.limits.fetch_per_minute
        eta = left * (60 / per_minute if per_minute else 60 / max(rate, 1e-6))
        self.progress(f"{report.source}: listed {report.listed}, fetched {report.fetched}, stored "
                      f"{report.stored + report.updated + report.history}, {rate:.1f}/min, "
                      f"about {duration(eta)} left")

    # One capture: fetch, extract, store with provenance and events, remember — one transaction.

    def _one(self, store: Store, detector: EventRecorder, source: Source, capture: Capture,
             report: SourceReport) -> None:
        self.fetched_total += 1
        report.fetched += 1
        try:
            fetched = self.client.fetch(capture)
        except ArchiveError as exc:
            report.failed += 1
            report.errors.append(f"capture {capture.timestamp} of {capture.original}: {exc}")
            self._remember(store, source, capture, "failed", str(exc)[:300], None)
            return
        if fetched.status != 200:
            report.skipped += 1
            self._remember(store, source, capture, "skipped", f"HTTP {fetched.status}", None)
            return
        original = _original_of(fetched.url) or capture.original
        try:
            items = list(extract(source, primary_url(source, original), fetched, capture))
        except Exception as exc:  # a page the extraction cannot read is reported, not raised
            report.skipped += 1
            report.errors.append(f"capture {capture.timestamp} of {original}: cannot parse:"
                                 f" {type(exc).__name__}: {exc}")
            self._remember(store, source, capture, "skipped", f"cannot parse: {type(exc).__name__}", None)
            return
        if not items:
            report.skipped += 1
            self._remember(store, source, capture, "skipped", _skip_reason(source, original), None)
            return
        # A feed capture brings many entries at once: their words and signatures are computed
        # together, before the write transaction (Store.prepare_many).
        prepared = store.prepare_many(items)
        with immediate(store.conn):
            results = []
            ann_id = None
            for item, ready in zip(items, prepared, strict=True):
                try:
                    status, ann_id, events = store_archived(store, detector, self.settings.archive, item, capture,
                                                            original, None if isinstance(ready, BadItem) else ready)
                except BadItem:
                    continue
                results.append(status)
                report.events += events
                counter = {"new": "stored", "updated": "updated", "history": "history", "duplicate": "duplicates",
                           "unchanged": "unchanged"}[status]
                setattr(report, counter, getattr(report, counter) + 1)
            self._remember(store, source, capture, "stored" if results else "skipped",
                           ",".join(dict.fromkeys(results)) or "nothing to store", ann_id)

    def _remember(self, store: Store, source: Source, capture: Capture, state: str, result: str,
                  ann_id: int | None) -> None:
        store.conn.execute(
            "INSERT INTO archive_captures (archive, source, timestamp, original, digest, state, result,"
            " announcement_id, handled) VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(archive, source, timestamp, original) DO UPDATE SET state = excluded.state,"
            " result = excluded.result, announcement_id = excluded.announcement_id, handled = excluded.handled,"
            " attempts = attempts + 1",
            (self.settings.archive, source.name, capture.timestamp, capture.original, capture.digest, state,
             result, ann_id, now_iso()))


def primary_url(source: Source, original: str) -> str:
    """The page's address as the source knows it today: an archived ``http://clusterplattform.de/x``
    or ``https://www.bmwi.de/x`` is ``https://www.clusterplattform.de/x`` or ``https://www.bmwe.de/x``,
    so that the captures of one page over the years are revisions of one announcement (the
    capture's own address is kept in ``archive_url``)."""
    parts = urlsplit(original)
    host = (parts.hostname or "").lower().removeprefix("www.")
    home = urlsplit(source.urls[0])
    home_host = (home.hostname or "").lower().removeprefix("www.")
    aliases = {home_host, *(d.lower().removeprefix("www.") for d in source.allowed_domains)}
    if host not in aliases or not home.netloc:
        return original
    return parts._replace(scheme=home.scheme, netloc=home.netloc).geturl()


def _original_of(archive_url: str) -> str | None:
    match = _WAYBACK_PATH.search(urlsplit(archive_url).path + (("?" + urlsplit(archive_url).query)
                                                                 if urlsplit(archive_url).query else ""))
    return match.group(2) if match else None


def _skip_reason(source: Source, url: str) -> str:
    if source.kind == "gsb" and _same(url, source.urls):
        return "listing page (its articles are looked up themselves)"
    return "no announcement in it"


def _same(url: str, urls: list[str]) -> bool:
    try:
        canon = canonical_url(url)
        return any(canonical_url(u) == canon for u in urls)
    except URLError:
        return False


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


# --- extraction: the live spiders' own code on the capture ------------------------------------


def extract(source: Source, url: str, fetched: Fetched, capture: Capture) -> Iterator[AnnouncementItem]:
    """The items a live crawl of this source kind would make of the page at ``url``."""
    from scrapy.http import HtmlResponse

    from crawler.runner import spider_class

    content_type = fetched.content_type
    if source.kind == "feed":
        from crawler.feeds import parse_feed  # feedparser and trafilatura: only when a feed is read

        result = parse_feed(fetched.body, url=url, source=source.name, content_type=content_type,
                            min_text_chars=source.options["min_text_chars"])
        items: list[AnnouncementItem] = [entry.item for entry in result.entries]
    else:
        headers = {"Content-Type": content_type} if content_type else {}
        response = HtmlResponse(url=url, body=fetched.body, headers=headers, status=200)
        spider: Any = spider_class(source)()
        if source.kind == "gsb":
            items = [] if _same(url, source.urls) else list(spider.parse_article(response))
        else:
            follow = spider.follow
            if follow is not None and not follow.search(url):
                items = []
            else:
                items = list(spider.parse_article(response))
    yield from items


# --- storing: Store.ingest, then provenance and events -----------------------------------------


def store_archived(store: Store, detector: EventRecorder, archive: str, item: AnnouncementItem, capture: Capture,
                   original: str, prepared: Prepared | None = None) -> tuple[str, int, int]:
    """Store one archived item; returns (status, announcement id, events found). Runs inside the
    caller's transaction. ``prepared``: the item as ``Store.prepare_many`` made it ready."""
    conn = store.conn
    try:
        canon = canonical_url(item.url)
    except URLError as exc:
        raise BadItem(str(exc)) from None
    provenance = (archive, capture.timestamp, original)
    prior = conn.execute(
        "SELECT a.id, a.archive, a.archive_timestamp, a.archive_url, a.source, a.first_seen, a.body FROM sightings s"
        " JOIN announcements a ON a.id = s.announcement_id WHERE s.url = ? LIMIT 1", (canon,)).fetchone()
    if prior is not None and prior[4] == item.source and _stored_text_is_newer(conn, prior, capture):
        return _keep_as_history(store, detector, prior[0], item, capture, provenance)
    had_sighting = conn.execute("SELECT 1 FROM sightings WHERE url = ? AND source = ?",
                                (canon, item.source)).fetchone() is not None
    result = store.ingest(item) if prepared is None else store.ingest_prepared(prepared)
    ann_id = result.announcement_id
    own_url = conn.execute("SELECT url FROM announcements WHERE id = ?", (ann_id,)).fetchone()[0]
    promoted = result.status == "duplicate" and own_url == canon
    if result.status == "new":
        conn.execute("UPDATE announcements SET archive = ?, archive_timestamp = ?, archive_url = ?,"
                     " first_seen = ?, last_seen = ? WHERE id = ?", (*provenance, capture.captured, capture.captured,
                                                                     ann_id))
    elif result.status == "updated" or promoted:
        # The text it replaced (kept with its own provenance) was replaced when this was captured.
        conn.execute("UPDATE revisions SET replaced_at = ? WHERE id = (SELECT max(id) FROM revisions"
                     " WHERE announcement_id = ?)", (capture.captured, ann_id))
        conn.execute("UPDATE announcements SET archive = ?, archive_timestamp = ?, archive_url = ? WHERE id = ?",
                     (*provenance, ann_id))
    if not had_sighting:
        conn.execute("UPDATE sightings SET archive = ?, archive_timestamp = ?, archive_url = ?, first_seen = ?,"
                     " last_seen = ? WHERE url = ? AND source = ?",
                     (*provenance, capture.captured, capture.captured, canon, item.source))
    events = 0
    if result.status in ("new", "updated") or promoted:
        title, body, published, language = conn.execute(
            "SELECT title, body, published, language FROM announcements WHERE id = ?", (ann_id,)).fetchone()
        events = analyse(detector, ann_id, title, body, published, capture, language)
        conn.execute("UPDATE announcements SET analysed_at = ? WHERE id = ?", (now_iso(), ann_id))
    return ("updated" if promoted else result.status), ann_id, events


def _stored_text_is_newer(conn: Any, prior: tuple, capture: Capture) -> bool:
    ann_id, archived, archive_timestamp = prior[0], prior[1], prior[2]
    if archived is not None:
        return bool(archive_timestamp and archive_timestamp > capture.timestamp)
    # A live text: it was current from when it was first seen or last replaced.
    since = conn.execute("SELECT max(replaced_at) FROM revisions WHERE announcement_id = ? AND revision >= 0",
                         (ann_id,)).fetchone()[0]  # when it replaced another (-1: history kept beside it)
    return (since or prior[5]) > capture.captured


def _keep_as_history(store: Store, detector: EventRecorder, ann_id: int, item: AnnouncementItem, capture: Capture,
                     provenance: tuple[str, str, str]) -> tuple[str, int, int]:
    """A capture older than the text stored for its page: kept as an earlier revision, analysed,
    never made current."""
    conn = store.conn
    same = conn.execute("SELECT 1 FROM announcements WHERE id = ? AND body = ? UNION ALL"
                        " SELECT 1 FROM revisions WHERE announcement_id = ? AND body = ?",
                        (ann_id, item.body, ann_id, item.body)).fetchone()
    if same:
        return "unchanged", ann_id, 0
    conn.execute("INSERT INTO revisions (announcement_id, revision, title, body, text_hash, replaced_at, archive,"
                 " archive_timestamp, archive_url) VALUES (?, -1, ?, ?, NULL, ?, ?, ?, ?)",
                 (ann_id, item.title, item.body, capture.captured, *provenance))
    return "history", ann_id, analyse(detector, ann_id, item.title, item.body, item.published, capture,
                                      item.language)


def analyse(detector: EventRecorder, ann_id: int, title: str | None, body: str, published: str | None,
            capture: Capture, language: str | None = None) -> int:
    """Detection over one archived text, dated by its publication date or else by its capture."""
    from monitor.detection import detect

    found = detect(body or "", title=title, language=language)
    ann = {"id": ann_id, "published": published or capture.captured}
    for event in found:
        detector._store(ann, event)
    return len(found)


# --- the command ------------------------------------------------------------------------------
