"""Full-text search over the dataset: a word index for ranked search, trigrams for fragments.

Two FTS5 indexes (migration 0009): ``announcements_fts`` holds words (unicode61) with positions,
``announcements_fts_fragments`` trigrams without positions. A query word matches the word with
its German endings ("Mitglied" finds "Mitglieder" and "Mitgliedern"; "Mitglied*" every word it
starts) through the word index; where no word matches, the words are looked for inside longer words ("unternehmen" in
"Mitgliedsunternehmen") through the trigrams, newest first.

Relevance (BM25, a title word counting more than a body word) is computed among the newest
``CANDIDATES`` announcements that match, not among all of them: ranking every match of a common
word read half a million rows at 1,000,000 announcements (2 s for "cluster"); the window keeps a
search's cost bounded by the window, and what an analyst searches for is nearly always recent.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from crawler.store import rows

MIN_TERM = 3  # the trigram index cannot match shorter fragments
CANDIDATES = 1000  # newest matches ranked by relevance
TITLE_WEIGHT = 5.0
SNIPPET_CHARS = 160
TITLE_WINDOW = 10_000  # newest titles searched for a fragment

_COLUMNS = (
    "SELECT a.id, a.title, a.url, a.published, a.source,"
    " (SELECT count(*) FROM sightings s WHERE s.announcement_id = a.id) AS sightings"
)


# German endings a word is also looked up with: "Mitglied" finds Mitglieder, Mitgliedern and
# Mitglieds. Exact words, OR-ed: a prefix query ("Mitglied"*) merged the postings of every word
# starting so before the newest could be picked (35-90 ms at 100,000 announcements, growing with
# the dataset); nine exact words cost what one does.
ENDINGS = ("", "e", "en", "er", "ern", "es", "n", "s", "ns")


def fts_query(text: str) -> str | None:
    """User words -> a word-index query: every word must occur, with its German endings.

    Each word is taken literally (quoted: FTS5 operators and punctuation stay inert; "go-cluster"
    is the phrase "go cluster"). A word ending in * matches every word it starts.
    """
    terms = [t for t in text.split() if len(t.rstrip("*")) >= MIN_TERM]
    if not terms:
        return None
    parts = []
    for term in terms:
        word = term.rstrip("*")
        quoted = '"' + word.replace('"', '""') + '"'
        if term.endswith("*"):
            parts.append(quoted + "*")
        elif word.isalpha():
            parts.append("(" + " OR ".join(f'"{word}{ending}"' for ending in ENDINGS) + ")")
        else:
            parts.append(quoted)
    return " AND ".join(parts)


def search(conn: sqlite3.Connection, text: str, *, limit: int = 20) -> list[dict[str, Any]]:
    terms = [t.rstrip("*") for t in text.split() if len(t.rstrip("*")) >= MIN_TERM]
    if not terms:
        # Too short for either index: a plain substring scan is slow but still correct.
        like = f"%{text.strip()}%"
        return list(
            rows(
                conn,
                _COLUMNS + ", substr(a.body, 1, 160) AS snippet FROM announcements a"
                " WHERE a.title LIKE ? OR a.body LIKE ? ORDER BY a.published DESC LIMIT ?",
                (like, like, limit),
            )
        )
    query = fts_query(text)
    # The newest matches with their relevance; the best of them are read with their text.
    ranked = conn.execute(
        "SELECT rowid, bm25(announcements_fts, ?, 1.0) FROM announcements_fts WHERE announcements_fts MATCH ?"
        " ORDER BY rowid DESC LIMIT ?",
        (TITLE_WEIGHT, query, CANDIDATES),
    ).fetchall()
    if ranked:
        best = [rowid for rowid, _ in sorted(ranked, key=lambda r: (r[1], -r[0]))[:limit]]
        return _with_snippets(conn, best, terms, at_word_start=True)
    # No word matches: the words may be inside compounds ("unternehmen" in
    # "Mitgliedsunternehmen"), which only the trigrams find.
    return _with_snippets(conn, _fragments(conn, terms, limit), terms, at_word_start=False)


def _fragments(conn: sqlite3.Connection, terms: list[str], limit: int) -> list[int]:
    """Announcements with every term inside a word of their text (or of a recent title), newest first."""
    params = [f"%{_escape_like(t)}%" for t in terms]
    # FTS5 answers a LIKE on the body from the trigrams and checks each candidate's text.
    where = " AND ".join("f.body LIKE ? ESCAPE '\\'" for _ in terms)
    found = [r[0] for r in conn.execute(
        f"SELECT f.rowid FROM announcements_fts_fragments f WHERE {where} ORDER BY f.rowid DESC LIMIT ?",
        (*params, limit))]
    if len(found) < limit:
        # Without positions the trigrams cannot tell a title's from a body's, so a title LIKE
        # through them checks nearly every row; titles are read directly, the newest
        # TITLE_WINDOW of them (a fragment found in no text and only in an old title is missed).
        where = " AND ".join("a.title LIKE ? ESCAPE '\\'" for _ in terms)
        found += [r[0] for r in conn.execute(
            f"SELECT a.id FROM announcements a WHERE a.id > (SELECT max(id) FROM announcements) - ? AND {where}"
            " ORDER BY a.id DESC LIMIT ?", (TITLE_WINDOW, *params, limit)) if r[0] not in found]
    return sorted(found, reverse=True)[:limit]


def _with_snippets(conn: sqlite3.Connection, ids: list[int], terms: list[str], *, at_word_start: bool
                   ) -> list[dict[str, Any]]:
    results = []
    for rowid in ids:
        for row in rows(conn, _COLUMNS + ", a.body FROM announcements a WHERE a.id = ?", (rowid,)):
            row["snippet"] = snippet(row.pop("body") or "", terms, at_word_start=at_word_start)
            results.append(row)
    return results


def snippet(body: str, terms: list[str], *, at_word_start: bool = True) -> str:
    """The text around the first match of the first term, each matching word marked [so].

    Made here rather than by FTS5's snippet(): that re-runs the whole query per result, which
    for a word that starts many others (a prefix query) cost 7 ms a result.
    """
    words = [re.escape(t.strip('"')) for t in terms if t.strip('"')]
    if not words:
        return body[:SNIPPET_CHARS]
    start_of_word = r"(?<!\w)" if at_word_start else ""
    pattern = re.compile(rf"\w*{start_of_word}(?:{'|'.join(words)})\w*" if not at_word_start
                         else rf"{start_of_word}(?:{'|'.join(words)})\w*", re.IGNORECASE)
    first = pattern.search(body)
    if first is None:
        return body[:SNIPPET_CHARS]
    start = max(0, first.start() - SNIPPET_CHARS // 2)
    end = min(len(body), first.end() + SNIPPET_CHARS // 2)
    # Whole words at the window's edges.
    while start > 0 and body[start - 1].isalnum():
        start -= 1
    while end < len(body) and body[end].isalnum():
        end += 1
    window = pattern.sub(lambda m: f"[{m.group(0)}]", body[start:end])
    return ("…" if start else "") + window + ("…" if end < len(body) else "")


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
