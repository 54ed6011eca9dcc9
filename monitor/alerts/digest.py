"""Digests: the new announcements matching a subscriber's programmes or keywords since the last
digest, grouped by source. Nothing is sent when nothing is new.

A digest is recorded (``digests``) before it is sent, with its period's window; a failed one is
sent again, with the same Message-ID, by the next delivery.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from crawler.config import Config, EmailSettings, Subscriber
from crawler.store import now_iso, rows
from monitor.alerts.message import build_digest_message, stable_message_id
from monitor.alerts.outbox import unsubscribe_text, unsubscribe_url
from monitor.alerts.transport import DeliveryError, MaildirTransport, SmtpTransport

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


Groups = dict[str, list[tuple[str, str, str | None]]]  # source -> [(title, url, published)]


def matching(conn: sqlite3.Connection, sub: Subscriber, since: str, until: str) -> Groups:
    terms = [t.casefold() for t in (*sub.programmes, *sub.keywords) if t.strip()]
    groups: Groups = {}
    for row in rows(conn,
            "SELECT title, url, published, source, body FROM announcements"
            " WHERE first_seen >= ? AND first_seen < ? ORDER BY source, published", (since, until)):
        text = f"{row['title'] or ''}\n{row['body']}".casefold()
        if terms and not any(term in text for term in terms):
            continue
        groups.setdefault(row["source"], []).append((row["title"] or row["url"], row["url"], row["published"]))
    return groups


def queue_digests(config: Config, *, now: datetime | None = None) -> int:
    """Record the digests that are due; returns how many have something to send."""
    from monitor.events import open_dataset

    moment = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    db = open_dataset(config.database)
    conn = db.conn
    queued = 0
    try:
        domain = config.email.domain
        for sub in config.subscribers:
            if sub.digest == "off":
                continue
            conn.execute("INSERT OR IGNORE INTO subscribers_seen (subscriber, first_seen) VALUES (?, ?)",
                         (sub.email, moment))
            last = conn.execute("SELECT max(until) FROM digests WHERE subscriber = ? AND period = ?",
                                (sub.email, sub.digest)).fetchone()[0]
            period = PERIODS[sub.digest]
            # The first digest covers the time since the subscriber was first seen, not the
            # archive a first crawl just stored, and is due one period after.
            since = last or conn.execute("SELECT first_seen FROM subscribers_seen WHERE subscriber = ?",
                                         (sub.email,)).fetchone()[0]
            # An hour's tolerance: a job starting a second earlier than last week's, or the
            # change to summer time, must not skip a whole period.
            if datetime.fromisoformat(moment) - datetime.fromisoformat(since) < period - timedelta(hours=1):
                continue
            items = sum(len(v) for v in matching(conn, sub, since, moment).values())
            conn.execute(
                "INSERT OR IGNORE INTO digests (subscriber, period, since, until, state, message_id, items, created)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (sub.email, sub.digest, since, moment, "pending" if items else "empty",
                 stable_message_id("digest", sub.email, sub.digest, moment, domain=domain), items, now_iso()),
            )
            queued += bool(items)
        return queued
    finally:
        conn.close()


def send_digests(conn: sqlite3.Connection, config: Config, settings: EmailSettings,
                 transport: SmtpTransport | MaildirTransport) -> tuple[int, list[str]]:
    """Send pending digests; returns (sent, failure messages)."""
    by_email = {s.email: s for s in config.subscribers}
    sent, failures = 0, []
    for digest in list(rows(conn, "SELECT * FROM digests WHERE state IN ('pending', 'failed') ORDER BY id")):
        sub = by_email.get(digest["subscriber"])
        if sub is None:
            conn.execute("UPDATE digests SET state = 'cancelled' WHERE id = ?", (digest["id"],))
            continue
        groups = matching(conn, sub, digest["since"], digest["until"])
        if not any(groups.values()):
            # What matched when it was queued is gone (deleted rows): nothing to send.
            conn.execute("UPDATE digests SET state = 'empty', items = 0 WHERE id = ?", (digest["id"],))
            continue
        period = f"{digest['since'][:10]} – {digest['until'][:10]}"
        message = build_digest_message(groups, sender=settings.sender, recipient=sub.email,
                                       message_id=digest["message_id"], language=sub.language, period=period,
                                       unsubscribe=unsubscribe_text(settings, sub.email, sub.language),
                                       unsubscribe_url=unsubscribe_url(settings, sub.email))
        try:
            transport.send(message)
        except DeliveryError as exc:
            conn.execute("UPDATE digests SET state = 'failed', last_error = ? WHERE id = ?",
                         ((exc.reply or str(exc))[:500], digest["id"]))
            failures.append(f"digest {digest['id']} to {sub.email}: {exc}")
            continue
        conn.execute("UPDATE digests SET state = 'sent', sent = ? WHERE id = ?", (now_iso(), digest["id"]))
        sent += 1
    return sent, failures

