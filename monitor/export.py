"""Exports of the dataset for analysts (CSV, JSON, Atom) and `clusterwatch browse` (Datasette).

Every export streams: rows are read from one cursor and written one at a time, so exporting a
hundred thousand announcements needs no more memory than exporting ten.

The Atom feed is built with feedgen, but not as one ``FeedGenerator`` holding every entry (that
keeps the whole feed as an lxml tree until it is serialised). Instead feedgen renders the feed's
head with no entries, and then each entry on its own (``FeedEntry.atom_entry``), which is written
and dropped. feedgen still does all the element building and escaping; only the concatenation is
ours. Its entries are unqualified elements inside ``<feed xmlns="http://www.w3.org/2005/Atom">``,
exactly as in ``FeedGenerator.atom_str``, so the result is the same document.

The commands `clusterwatch export` and `clusterwatch browse` are defined in ``monitor/cli.py``;
this module holds the queries, the serialisers and the Datasette helpers they call.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote
from zoneinfo import ZoneInfo

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from crawler.errors import ClusterwatchError
from crawler.resources import bundled
from crawler.store import rows, sqlite_uri

if TYPE_CHECKING:
    pass

WHATS = ("announcements", "milestones")
FORMATS = ("csv", "json", "atom")
METADATA = bundled("metadata.yml")
# The database key data/metadata.yml is written for; `browse` re-keys it to the actual file name.
METADATA_DATABASE = "clusterwatch"

# Tag URIs (RFC 4151) never change when the dataset moves or the feed is hosted elsewhere, so a
# feed reader keeps recognising entries it has already shown.
TAG_AUTHORITY = "tag:clusterwatch,2026:"
# Stored dates without an offset come from German pages (crawler/dates.py keeps Berlin time).
BERLIN = ZoneInfo("Europe/Berlin")
# XML 1.0 forbids most C0 controls and the non-characters; crawled text sometimes has them, and
# lxml refuses such strings outright.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

MILESTONE_FIELDS = ("id", "published", "programme", "kind", "number", "member", "place", "title",
                    "evidence", "rule", "sources", "titles")
ANNOUNCEMENT_FIELDS = ("id", "url", "title", "published", "published_reason", "source", "descriptor", "tags",
                       "text_kind", "revision", "first_seen", "last_seen", "last_revised", "seen_at", "body")
NO_EVENTS = "no events in this dataset yet: run 'clusterwatch detect' first"
LIST_FIELDS = frozenset({"sources", "titles", "tags", "seen_at"})


class ExportError(ClusterwatchError, ValueError):
    """An export cannot be made as asked (unknown format, bad date, no events yet)."""


# --- rows ---------------------------------------------------------------------------------------


def since_day(since: str | None) -> str | None:
    """``--since`` as YYYY-MM-DD (inclusive); a full timestamp is cut to its day."""
    if since is None or not since.strip():
        return None
    try:
        return datetime.fromisoformat(since.strip()).date().isoformat()
    except ValueError:
        raise ExportError(f"--since {since!r} is not a date; expected YYYY-MM-DD") from None


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def milestone_title(event: dict[str, Any]) -> str:
    """The same line the alert email uses as its subject, e.g.
    "go-cluster: 100. Mitglied — Innovationscluster Automotive Nordwest e. V. (Bremen)"."""
    from monitor.alerts.message import MilestoneContext, milestone_subject

    return milestone_subject(MilestoneContext(
        programme=event["programme"] or "?", kind=event["kind"], number=event["number"],
        member=event["member"], place=event["place"], evidence=event["evidence"] or "",
        published=event["published"], sources=[], timeline=[]))


def milestone_rows(conn: sqlite3.Connection, *, since: str | None = None,
                   programme: str | None = None) -> Iterator[dict[str, Any]]:
    """Alert-worthy events (not retracted), oldest first, one dict per milestone."""
    from monitor.events import list_events

    if not _has_table(conn, "events"):
        raise ExportError(NO_EVENTS)
    for event in list_events(conn, programme=programme, since=since_day(since), milestones_only=True):
        row = {key: event.get(key) for key in MILESTONE_FIELDS}
        row["title"] = milestone_title(event)
        row["all_evidence"] = event.get("all_evidence") or []
        if event["published"] is None:
            # An undated event still needs a date in a feed; when it was found is the honest one.
            row["detected"] = conn.execute("SELECT first_detected FROM events WHERE id = ?",
                                           (event["id"],)).fetchone()[0]
        yield row


def _announcement_filter(conn: sqlite3.Connection, since: str | None,
                         programme: str | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    day = since_day(since)
    if day:
        # Undated announcements count from when they were first seen, so --since never hides them for good.
        clauses.append("coalesce(a.published, a.first_seen) >= ?")
        params.append(day)
    if programme:
        # "About the programme": the announcements its events rest on, plus any that name it.
        about: list[str] = []
        if _has_table(conn, "events"):
            about.append("a.id IN (SELECT v.announcement_id FROM evidence v JOIN events e ON e.id = v.event_id"
                         " WHERE lower(e.programme) = lower(?) AND e.retracted = 0)")
            params.append(programme)
        if len(programme) >= 3 and _has_table(conn, "announcements_fts"):
            about.append("a.id IN (SELECT rowid FROM announcements_fts WHERE announcements_fts MATCH ?)")
            params.append('"' + programme.replace('"', '""') + '"')
        else:  # the trigram index cannot match fewer than three characters
            about.append("(a.title LIKE ? OR a.body LIKE ?)")
            params += [f"%{programme}%"] * 2
        clauses.append("(" + " OR ".join(about) + ")")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def announcement_rows(conn: sqlite3.Connection, *, since: str | None = None,
                      programme: str | None = None) -> Iterator[dict[str, Any]]:
    """Stored announcements, oldest first, with every address they were seen at (``seen_at``,
    first sighting first)."""
    where, params = _announcement_filter(conn, since, programme)
    sql = (
        "SELECT a.id, a.url, a.title, a.published, a.published_reason, a.source, a.descriptor, a.tags,"
        " a.text_kind, a.revision, a.first_seen, a.last_seen,"
        " (SELECT max(r.replaced_at) FROM revisions r WHERE r.announcement_id = a.id) AS last_revised,"
        " (SELECT json_group_array(url) FROM (SELECT s.url FROM sightings s WHERE s.announcement_id = a.id"
        "  ORDER BY s.id)) AS seen_at,"
        " a.body FROM announcements a" + where + " ORDER BY coalesce(a.published, a.first_seen), a.id"
    )
    for row in rows(conn, sql, params):
        row["tags"] = json.loads(row["tags"]) if row["tags"] else []
        row["seen_at"] = json.loads(row["seen_at"]) if row["seen_at"] else []
        yield row


# --- writers ------------------------------------------------------------------------------------


def _write_json(records: Iterator[dict[str, Any]], fields: tuple[str, ...], out: TextIO) -> int:
    count = 0
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps({k: record.get(k) for k in fields}, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _write_csv(records: Iterator[dict[str, Any]], fields: tuple[str, ...], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(fields)
    count = 0
    for record in records:
        # Lists become JSON text: unambiguous for any content and readable back with json.loads.
        writer.writerow([json.dumps(record.get(k), ensure_ascii=False) if k in LIST_FIELDS
                         else inert_cell(record.get(k)) for k in fields])
        count += 1
    return count


def inert_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (=, +, -, @; tab and CR start one too),
    prefixed with an apostrophe so that it is shown as text. Numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def xml_text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _datetime(value: str | None) -> datetime | None:
    """A stored ISO date or timestamp as an aware datetime (naive ones are Berlin time)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BERLIN)


def _tag(kind: str, ident: str) -> str:
    return TAG_AUTHORITY + kind + "/" + quote(ident, safe="")


def _links(entry: FeedEntry, urls: list[str]) -> None:
    # Atom allows one rel="alternate" per type and language; the other copies are "related".
    for i, url in enumerate(dict.fromkeys(u for u in urls if u)):
        entry.link(href=xml_text(url), rel="alternate" if i == 0 else "related")


def milestone_entry(row: dict[str, Any]) -> FeedEntry:
    from monitor.events import event_key

    entry = FeedEntry()
    # The event's own key (kind, programme, number or member): the same milestone keeps its id
    # even in a dataset rebuilt from scratch.
    entry.id(_tag("event", event_key(row["kind"], row["programme"], row["number"], row["member"], row["published"])))
    entry.title(xml_text(row["title"]))
    when = _datetime(row["published"]) or _datetime(row.get("detected")) or datetime.now(UTC)
    entry.published(when)
    entry.updated(when)
    _links(entry, row["sources"] or [])
    evidence = "\n".join(dict.fromkeys(s for s in row.get("all_evidence") or [row["evidence"]] if s))
    summary = xml_text(evidence or row["title"])
    entry.summary(summary)
    if not row["sources"]:
        entry.content(summary, type="text")  # Atom: an entry without an alternate link needs content
    if row["programme"]:
        entry.category(term=xml_text(row["programme"]))
    entry.category(term=row["kind"])
    return entry


def announcement_entry(row: dict[str, Any]) -> FeedEntry:
    entry = FeedEntry()
    # The first address an announcement was seen at never changes, even when an earlier copy later
    # becomes its own URL; the row id would not survive rebuilding the dataset.
    entry.id(_tag("announcement", row["seen_at"][0] if row["seen_at"] else row["url"]))
    entry.title(xml_text(" ".join((row["title"] or row["url"]).split())))
    published = _datetime(row["published"])
    if published:
        entry.published(published)
    entry.updated(_datetime(row["last_revised"]) or published or _datetime(row["first_seen"]) or datetime.now(UTC))
    _links(entry, [row["url"], *row["seen_at"]])
    if row["body"]:
        entry.content(xml_text(row["body"]), type="text")
    entry.category(term=xml_text(row["source"]))
    if row["descriptor"]:
        entry.category(term=xml_text(row["descriptor"]))
    return entry


def entry_xml(entry: FeedEntry) -> str:
    element = entry.atom_entry()
    # feedgen 1.0.0 drops every attribute of an entry's links but href (lkiesow/python-feedgen#135),
    # which would make all of them rel="alternate", which Atom forbids. The links come out in the
    # order they were added, so their attributes are put back from feedgen's own record.
    for link, spec in zip(element.findall("link"), entry.link() or [], strict=True):
        for attr in ("rel", "type", "hreflang", "title", "length"):
            if spec.get(attr):
                link.set(attr, str(spec[attr]))
    return etree.tostring(element, encoding="unicode", pretty_print=True)


def _feed_head(what: str, programme: str | None, updated: datetime, self_url: str | None) -> tuple[str, str]:
    """feedgen's rendering of the feed without entries, split where the entries go."""
    fg = FeedGenerator()
    fg.id(TAG_AUTHORITY + "feed/" + what + (f"/{quote(programme.casefold(), safe='')}" if programme else ""))
    label = "membership milestones" if what == "milestones" else "announcements"
    fg.title(xml_text(f"clusterwatch: {label}" + (f" — {programme}" if programme else "")))
    fg.subtitle("German cluster-policy sites watched by clusterwatch")
    fg.author(name="clusterwatch")
    fg.generator("clusterwatch")
    fg.updated(updated)
    if self_url:
        fg.link(href=xml_text(self_url), rel="self", type="application/atom+xml")
    document = fg.atom_str(pretty=True, encoding="UTF-8").decode("utf-8")
    cut = document.rindex("</feed>")
    return document[:cut], document[cut:]


def _feed_updated(conn: sqlite3.Connection, what: str, since: str | None, programme: str | None) -> datetime:
    """The newest entry date, computed before the entries are streamed (the head comes first)."""
    if what == "milestones":
        sql = ("SELECT max(coalesce(published, substr(first_detected, 1, 10))) FROM events e"
               " WHERE retracted = 0 AND milestone = 1")
        params: list[Any] = []
        if programme:
            sql += " AND lower(programme) = lower(?)"
            params.append(programme)
        day = since_day(since)
        if day:
            sql += " AND published >= ?"
            params.append(day)
    else:
        where, params = _announcement_filter(conn, since, programme)
        sql = ("SELECT max(coalesce((SELECT max(r.replaced_at) FROM revisions r WHERE r.announcement_id = a.id),"
               " a.published, a.first_seen)) FROM announcements a" + where)
    latest = conn.execute(sql, params).fetchone()[0]
    return _datetime(latest) or datetime.now(UTC)


def _write_atom(conn: sqlite3.Connection, what: str, records: Iterator[dict[str, Any]], out: TextIO, *,
                since: str | None, programme: str | None, self_url: str | None) -> int:
    make = milestone_entry if what == "milestones" else announcement_entry
    head, tail = _feed_head(what, programme, _feed_updated(conn, what, since, programme), self_url)
    out.write(head)
    count = 0
    for record in records:
        out.write(entry_xml(make(record)))
        count += 1
    out.write(tail)
    return count


def export(conn: sqlite3.Connection, what: str, fmt: str, out: TextIO, since: str | None = None,
           programme: str | None = None, *, self_url: str | None = None) -> int:
    """Write announcements or milestones to ``out`` as CSV, JSON or Atom; returns the rows written.

    ``out`` must be a UTF-8 text stream (the Atom feed declares UTF-8); for CSV open it with
    ``newline=""``. ``since`` (YYYY-MM-DD, inclusive) and ``programme`` filter the rows;
    ``self_url`` is where the Atom feed will be published (its rel="self" link).
    """
    if what not in WHATS:
        raise ExportError(f"cannot export {what!r}; choose one of {', '.join(WHATS)}")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    # Checked before the first byte is written: the row generators would only fail once started.
    since_day(since)
    if what == "milestones" and not _has_table(conn, "events"):
        raise ExportError(NO_EVENTS)
    fields: tuple[str, ...]
    if what == "milestones":
        records, fields = milestone_rows(conn, since=since, programme=programme), MILESTONE_FIELDS
    else:
        records, fields = announcement_rows(conn, since=since, programme=programme), ANNOUNCEMENT_FIELDS
    if fmt == "json":
        return _write_json(records, fields, out)
    if fmt == "csv":
        return _write_csv(records, fields, out)
    return _write_atom(conn, what, records, out, since=since, programme=programme, self_url=self_url)


# --- what the commands call -----------------------------------------------------------------------------------


def format_for(output: str | None) -> str:
    suffix = Path(output).suffix.lower() if output else ""
    return {".csv": "csv", ".json": "json", ".atom": "atom", ".xml": "atom"}.get(suffix, "json")


def export_to(conn: sqlite3.Connection, what: str, fmt: str, output: str | None, since: str | None,
               programme: str | None, feed_url: str | None) -> int:
    if output is None:
        # Through the binary stream so the bytes are UTF-8 whatever the terminal's locale says.
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            return export(conn, what, fmt, stream, since, programme, self_url=feed_url)
        except BrokenPipeError:
            # `clusterwatch export | head` is fine; Python's flush at exit would complain otherwise.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        finally:
            try:
                stream.flush()
            except BrokenPipeError:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            stream.detach()
    target = Path(output)
    # A temporary file beside the target, renamed at the end: a web server publishing the feed
    # never serves half an export, and a failed export leaves the previous file in place.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent if str(target.parent) else ".")
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            count = export(conn, what, fmt, out, since, programme, self_url=feed_url)
        # mkstemp makes the file private (0600); an export is meant to be read and published, so it
        # gets the mode any new file would (0644 under the usual umask).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def datasette_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("datasette") is not None


def browse_metadata(database: Path, source: Path = METADATA) -> dict[str, Any]:
    """data/metadata.yml with its database section under the name Datasette gives ``database``
    (the file name without its suffix), so the canned queries appear whatever the file is called."""
    import yaml  # PyYAML comes with Datasette

    metadata = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    databases = metadata.get("databases") or {}
    if METADATA_DATABASE in databases:
        databases = {database.stem: databases.pop(METADATA_DATABASE), **databases}
    metadata["databases"] = databases
    _without_vocabulary(database, databases.get(database.stem) or {})
    return metadata


def _without_vocabulary(database: Path, section: dict[str, Any]) -> None:
    """A dataset not opened for writing since before migration 0011 has no word vocabulary: its
    canned search takes the query as FTS5 reads it (a word followed by * then merges every word it
    starts, slow on a large dataset) instead of failing."""
    query = (section.get("queries") or {}).get("search_announcements")
    if not query or not database.is_file():
        return
    conn = sqlite3.connect(sqlite_uri(database), uri=True)
    try:
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'announcements_fts_vocab'").fetchone()
    except sqlite3.DatabaseError:
        return
    finally:
        conn.close()
    head, found, tail = query["sql"].partition("\nselect\n")
    if not has and found and "announcements_fts_vocab" in head:
        query["sql"] = "with query(q) as (select :q)" + found + tail


def datasette_command(database: Path, metadata: Path, host: str, port: int) -> list[str]:
    # Plain (not --immutable) mode: Datasette opens the file with mode=ro, and sees what the
    # service writes while analysts browse; immutable mode would assume the file never changes.
    return [sys.executable, "-m", "datasette", "serve", str(database), "--metadata", str(metadata),
            "--host", host, "--port", str(port)]
