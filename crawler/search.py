"""Full-text search over the dataset (FTS5, trigram tokenizer)."""

from __future__ import annotations

import sqlite3
from typing import Any

from crawler.store import rows

MIN_TERM = 3  # the trigram tokenizer cannot match shorter terms


def fts_query(text: str) -> str | None:
    """User words -> an FTS5 query: every word must occur, each taken literally."""
    terms = [t for t in text.split() if len(t) >= MIN_TERM]
    if not terms:
        return None
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def search(conn: sqlite3.Connection, text: str, *, limit: int = 20) -> list[dict[str, Any]]:
    query = fts_query(text)
    base = (
        "SELECT a.id, a.title, a.url, a.published, a.source,"
        " (SELECT count(*) FROM sightings s WHERE s.announcement_id = a.id) AS sightings,"
    )
    if query is None:
        # Too short for trigrams: a plain substring scan is slow but still correct.
        like = f"%{text.strip()}%"
        return list(rows(conn,
            base + " substr(a.body, 1, 160) AS snippet FROM announcements a"
            " WHERE a.title LIKE ? OR a.body LIKE ? ORDER BY a.published DESC LIMIT ?",
            (like, like, limit)))
    return list(rows(conn,
        base + " snippet(announcements_fts, 1, '[', ']', '…', 64) AS snippet"
        " FROM announcements_fts JOIN announcements a ON a.id = announcements_fts.rowid"
        " WHERE announcements_fts MATCH ? ORDER BY rank LIMIT ?",
        (query, limit)))
