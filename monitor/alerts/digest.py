"""Digests: the new announcements matching a subscriber's programmes, keywords and sources since
the last digest, grouped by source. Nothing is sent when nothing is new.

A digest is recorded (``digests``) with its period's window, and queued in the outbox once per
channel of its subscriber; the outbox sends it, and retries it with backoff as it does alerts.
This module builds what a digest says; it never imports the outbox.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.config import Config
from crawler.store import immediate, now_iso, rows
from monitor.alerts.channels import Payload
from monitor.alerts.formats import digest_document, digest_text
from monitor.alerts.message import build_digest_message, digest_subject
from monitor.alerts.queue import enqueue, message_id
from monitor.alerts.settings import (
    EMAIL,
    EmailSettings,
    Subscriber,
    subscribers,
    unsubscribe_text,
    unsubscribe_url,
)

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


Groups = dict[str, list[tuple[str, str, str | None]]]  # source -> [(title, url, published)]


def matching(conn: sqlite3.Connection, sub: Subscriber, since: str, until: str) -> Groups:
    terms = [t.casefold() for t in (*sub.programmes, *sub.keywords) if t.strip()]
    wanted_sources = set(sub.sources)
    groups: Groups = {}
    for row in rows(conn,
            "SELECT title, url, published, source, body FROM announcements"
            " WHERE first_seen >= ? AND first_seen < ? ORDER BY source, published", (since, until)):
        if wanted_sources and row["source"] not in wanted_sources:
            continue
        text = f"{row['title'] or ''}\n{row['body']}".casefold()
        if terms and not any(term in text for term in terms):
            continue
        groups.setdefault(row["source"], []).append((row["title"] or row["url"], row["url"], row["published"]))
    return groups


def queue_digests(config: Config, *, now: datetime | None = None) -> int:
    """Record the digests that are due and queue them; returns how many have something to send."""
    from monitor.events import open_dataset

    moment = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    db = open_dataset(config.database)
    conn = db.conn
    queued = 0
    try:
        domain = config.email.domain
        for sub in subscribers(config):
            if sub.digest == "off":
                continue
            conn.execute("INSERT OR IGNORE INTO subscribers_seen (subscriber, first_seen) VALUES (?, ?)",
                         (sub.key, moment))
            last = conn.execute("SELECT max(until) FROM digests WHERE subscriber = ? AND period = ?",
                                (sub.key, sub.digest)).fetchone()[0]
            period = PERIODS[sub.digest]
            # The first digest covers the time since the subscriber was first seen, not the
            # archive a first crawl just stored, and is due one period after.
            since = last or conn.execute("SELECT first_seen FROM subscribers_seen WHERE subscriber = ?",
                                         (sub.key,)).fetchone()[0]
            # An hour's tolerance: a job starting a second earlier than last week's, or the
            # change to summer time, must not skip a whole period.
            if datetime.fromisoformat(moment) - datetime.fromisoformat(since) < period - timedelta(hours=1):
                continue
            items = sum(len(v) for v in matching(conn, sub, since, moment).values())
            parts = ("digest", sub.key, sub.digest, moment)
            # The digest, and its rows in the outbox, are one transaction: never one without the other.
            with immediate(conn):
                cur = conn.execute(
                    "INSERT OR IGNORE INTO digests (subscriber, period, since, until, state, message_id, items,"
                    " created) VALUES (?,?,?,?,?,?,?,?)",
                    (sub.key, sub.digest, since, moment, "queued" if items else "empty",
                     message_id(*parts, channel=EMAIL, domain=domain), items, now_iso()),
                )
                if cur.rowcount and items:
                    assert cur.lastrowid is not None
                    for channel in sub.routes:
                        enqueue(conn, "digest", cur.lastrowid, sub.key, channel,
                                message_id(*parts, channel=channel, domain=domain))
                    queued += 1
        return queued
    finally:
        conn.close()


class NothingToSend(Exception):
    """What matched when the digest was queued is gone (deleted rows)."""


def digest_payload(conn: sqlite3.Connection, row: dict[str, Any], sub: Subscriber,
                   settings: EmailSettings) -> Payload:
    """The digest of outbox row ``row`` in every form a channel may need."""
    digest = next(rows(conn, "SELECT * FROM digests WHERE id = ?", (row["digest_id"],)))
    groups = matching(conn, sub, digest["since"], digest["until"])
    count = sum(len(items) for items in groups.values())
    if not count:
        raise NothingToSend
    period = f"{digest['since'][:10]} – {digest['until'][:10]}"
    subject = digest_subject(count, period, sub.language)
    email = None
    if (sub.email and row["channel"] == EMAIL) or row["channel"].lower().startswith(("mailto:", "mailtos:")):
        email = build_digest_message(groups, sender=settings.sender, recipient=sub.email or settings.sender,
                                     message_id=row["message_id"], language=sub.language, period=period,
                                     unsubscribe=unsubscribe_text(settings, sub.key, sub.language),
                                     unsubscribe_url=unsubscribe_url(settings, sub.key))
    return Payload(title=subject, text=digest_text(groups, subject),
                   document=digest_document(groups, digest, message_id=row["message_id"], recipient=sub.key,
                                            subject=subject),
                   email=email, message_id=row["message_id"])
