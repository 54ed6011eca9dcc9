"""Where a row becomes an event: detection over stored announcements, one event per milestone.

The same event reported by several announcements (the ministry's release, its feed entry, an
aggregator's copy, a rewritten report) is one row in ``events`` with one ``evidence`` row per
announcement. A milestone is identified by programme and threshold (``milestone_key``), so "als
100. Mitglied aufgenommen" and a later "100 Mitglieder" are the same milestone: one alert, ever.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.config import MilestoneRule
from crawler.store import apply_migrations, connect, immediate, now_iso, rows

if TYPE_CHECKING:
    from sqlite_utils import Database

# Announcements read, analysed and stored per transaction by EventRecorder.run.
DETECT_BATCH = 200


def open_dataset(path: str | Path) -> Database:
    """The dataset with the crawler's and the monitor's migrations applied."""
    from monitor.migrations import migrations  # sqlite-migrate: only for a command that writes

    db = connect(path)
    apply_migrations(db, migrations, Path(path))
    return db


def event_key(kind: str, programme: str | None, number: int | None, member: str | None,
              published: str | None = None) -> str:
    if kind == "new_member" and member is None and number is not None:
        # "zwölf neue Mitglieder": unnamed newcomers are told apart by their number and year, so
        # that a programme's next batch of twelve is news again while a copy of the release is not.
        ident = f"{number} unnamed {(published or '')[:4] or '?'}"
    elif kind == "new_member":
        ident = " ".join((member or "?").casefold().split())
    else:
        ident = str(number)
    return f"{kind}|{(programme or '?').casefold()}|{ident}"


OnMilestone = Callable[[sqlite3.Connection, int, dict[str, Any]], None]


class EventRecorder:
    """Records what `monitor.detection.detect` finds in stored announcements: one event per
    milestone, one evidence row per announcement (`detect` finds events; this class stores them)."""

    def __init__(self, db: Database, rule: MilestoneRule | None = None,
                 on_event: OnMilestone | None = None):
        self.db = db
        self.conn = db.conn
        self.rule = rule or MilestoneRule()
        # Called inside the transaction that stores a new alert-worthy event, so that alerts
        # are created atomically with their event.
        self.on_event = on_event

    def run(self, *, all_again: bool = False) -> dict[str, int]:
        from monitor.detection import detect

        where = "" if all_again else "WHERE analysed_at IS NULL"
        # Oldest first, so "a count lower than an earlier one" is judged in publication order. Only
        # the ids are held (8 bytes each), the texts are read a batch at a time: loading every row
        # at once took 873 MiB for 100,000 announcements.
        order = array("q", (r[0] for r in self.conn.execute(
            f"SELECT id FROM announcements {where} ORDER BY published IS NULL, published, id")))
        stats = {"announcements": len(order), "events": 0, "new_events": 0, "milestones": 0}
        for start in range(0, len(order), DETECT_BATCH):
            ids = order[start : start + DETECT_BATCH].tolist()
            marks = ",".join("?" * len(ids))
            by_id = {r["id"]: r for r in rows(self.conn,
                f"SELECT id, title, body, published, language, revision FROM announcements WHERE id IN ({marks})", ids)}
            batch = [by_id[i] for i in ids if i in by_id]
            # The texts are read outside the write transaction: a crawl storing items meanwhile
            # waits for one batch's writes only, never for its detection.
            found = [detect(ann["body"] or "", title=ann["title"], language=ann["language"]) for ann in batch]
            with immediate(self.conn):
                for ann, events in zip(batch, found, strict=True):
                    kept: list[int] = []
                    for event in events:
                        created, milestone = self._store(ann, event, kept)
                        stats["events"] += 1
                        stats["new_events"] += created
                        stats["milestones"] += milestone
                    if all_again:
                        # The evidence this text no longer gives goes; what it gives again stays in
                        # place (deleting and re-inserting it grew the file on every pass).
                        marks = ",".join("?" * len(kept))
                        self.conn.execute(f"DELETE FROM evidence WHERE announcement_id = ? AND id NOT IN ({marks})",
                                          (ann["id"], *kept))
                    # A text revised since it was read stays unanalysed: the next run reads the new one.
                    self.conn.execute("UPDATE announcements SET analysed_at = ? WHERE id = ? AND revision = ?",
                                      (now_iso(), ann["id"], ann["revision"]))
        if all_again:
            with immediate(self.conn):
                self.conn.execute(
                    "UPDATE events SET retracted = NOT EXISTS (SELECT 1 FROM evidence v WHERE v.event_id = events.id)"
                )
        return stats

    def _store(self, ann: dict[str, Any], event: Any, kept: list[int] | None = None) -> tuple[bool, bool]:
        """Store one event found in ``ann``; ``kept`` collects the ids of its evidence rows."""
        day = (ann["published"] or "")[:10] or None
        key = event_key(event.kind, event.programme, event.number, event.member, day)
        row = self.conn.execute("SELECT id, published FROM events WHERE key = ?", (key,)).fetchone()
        created = row is None
        milestone = False
        if row is None:
            milestone_key = self._milestone_key(event, day)
            milestone = milestone_key is not None
            cur = self.conn.execute(
                "INSERT INTO events (key, kind, programme, number, member, place, qualifier, published,"
                " milestone, milestone_key, first_detected) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (key, event.kind, event.programme, event.number, event.member, event.place,
                 getattr(event, "qualifier", None), day, int(milestone), milestone_key, now_iso()),
            )
            event_id = cur.lastrowid
        else:
            event_id = row[0]
            if day and (row[1] is None or day < row[1]):
                self.conn.execute("UPDATE events SET published = ? WHERE id = ?", (day, event_id))
            # A later report may name the member or town the first one left out.
            self.conn.execute(
                "UPDATE events SET member = coalesce(member, ?), place = coalesce(place, ?), retracted = 0"
                " WHERE id = ?", (event.member, event.place, event_id))
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO evidence (event_id, announcement_id, sentence, rule, published, detected)"
            " VALUES (?,?,?,?,?,?)",
            (event_id, ann["id"], event.evidence, event.rule, day, now_iso()),
        )
        if kept is not None:
            if cur.rowcount:
                kept.append(int(cur.lastrowid or 0))
            else:  # found again: the frame that found it may have a new name
                evidence_id = self.conn.execute(
                    "SELECT id FROM evidence WHERE event_id = ? AND announcement_id = ? AND sentence = ?",
                    (event_id, ann["id"], event.evidence)).fetchone()[0]
                self.conn.execute("UPDATE evidence SET rule = ? WHERE id = ? AND rule IS NOT ?",
                                  (event.rule, evidence_id, event.rule))
                kept.append(evidence_id)
        # An event whose text does not say whose membership it is cannot be alerted: the reader
        # would not know what it is about (its `why` says so in `clusterwatch extract --json`).
        if created and self.on_event is not None and event.programme is not None \
                and (milestone or event.kind == "new_member"):
            assert event_id is not None
            self.on_event(self.conn, event_id, {"kind": event.kind, "programme": event.programme,
                                                "milestone": milestone})
        return created, milestone

    def _milestone_key(self, event: Any, day: str | None) -> str | None:
        if event.programme is None or event.number is None or event.kind == "new_member":
            return None
        programme = event.programme.casefold()
        if event.kind == "member_ordinal":
            threshold: int | None = event.number
        else:
            previous = self.conn.execute(
                "SELECT max(number) FROM events WHERE lower(programme) = ? AND kind IN"
                " ('member_ordinal', 'member_count') AND retracted = 0"
                " AND (published IS NULL OR ? IS NULL OR published <= ?)",
                (programme, day, day),
            ).fetchone()[0]
            if previous is None:
                # The first number known for a programme is a baseline: when it passed the
                # thresholds below it is unknown. Only a count that is itself a threshold
                # ("100 Mitglieder sind erreicht") announces reaching it.
                threshold = self.rule.crossed(event.programme, event.number - 1, event.number)
            else:
                threshold = self.rule.crossed(event.programme, previous, event.number)
            if threshold is None:
                return None
        key = f"{programme}|{threshold}"
        taken = self.conn.execute("SELECT 1 FROM events WHERE milestone_key = ?", (key,)).fetchone()
        return None if taken else key


# --- reading ------------------------------------------------------------------------------------


def list_events(conn: sqlite3.Connection, *, programme: str | None = None, since: str | None = None,
                milestones_only: bool = False) -> Iterator[dict[str, Any]]:
    clauses = ["e.retracted = 0"]
    params: list[Any] = []
    if programme:
        clauses.append("lower(e.programme) = lower(?)")
        params.append(programme)
    if since:
        clauses.append("e.published >= ?")
        params.append(since)
    if milestones_only:
        clauses.append("e.milestone = 1")
    for event in rows(conn,
            "SELECT e.* FROM events e WHERE " + " AND ".join(clauses) +
            " ORDER BY e.published IS NULL, e.published, e.id", params):
        yield with_sources(conn, event)


def with_sources(conn: sqlite3.Connection, event: dict[str, Any]) -> dict[str, Any]:
    evidence = list(rows(conn,
        "SELECT v.sentence, v.rule, v.published, a.id AS announcement_id, a.title, a.url"
        " FROM evidence v JOIN announcements a ON a.id = v.announcement_id"
        " WHERE v.event_id = ? ORDER BY v.published IS NULL, v.published, v.id", (event["id"],)))
    links: dict[str, dict[str, Any]] = {}
    for ev in evidence:
        # The announcement's own address first, then every other address it was seen at, each
        # with the title that page gave; a sighting stored before titles were kept has none
        # rather than the announcement's.
        for link in rows(conn,
                "SELECT 0 AS position, a.url, a.title, a.source FROM announcements a WHERE a.id = ?"
                " UNION ALL SELECT s.id, s.url,"
                " CASE WHEN s.url = a.url THEN coalesce(s.title, a.title) ELSE s.title END, s.source"
                " FROM sightings s JOIN announcements a ON a.id = s.announcement_id"
                " WHERE s.announcement_id = ? ORDER BY position", (ev["announcement_id"], ev["announcement_id"])):
            links.setdefault(link["url"], {k: link[k] for k in ("url", "title", "source")})
    return {
        "id": event["id"], "kind": event["kind"], "programme": event["programme"], "number": event["number"],
        "member": event["member"], "place": event["place"], "published": event["published"],
        "sources": list(links), "links": list(links.values()),
        "evidence": evidence[0]["sentence"] if evidence else None,
        "milestone": bool(event["milestone"]), "rule": evidence[0]["rule"] if evidence else None,
        "titles": list(dict.fromkeys(ev["title"] for ev in evidence if ev["title"])),
        "all_evidence": [ev["sentence"] for ev in evidence],
    }


def timeline(conn: sqlite3.Connection, programme: str) -> list[dict[str, Any]]:
    """Member numbers of a programme over time, from ordinals and counts (oldest first)."""
    points = []
    for event in list_events(conn, programme=programme):
        if event["kind"] in ("member_ordinal", "member_count") and event["number"] is not None:
            points.append({"date": event["published"], "number": event["number"], "kind": event["kind"],
                           "milestone": event["milestone"],
                           "source": event["sources"][0] if event["sources"] else None})
    return points
