"""Putting a message into the outbox: one row per (message, recipient, channel).

Kept apart from the delivery loop (``outbox``) so that what queues messages (the detector's hook,
digests, health notices) never imports what sends them.
"""

from __future__ import annotations

import sqlite3

from crawler.store import now_iso
from monitor.alerts.message import stable_message_id
from monitor.alerts.settings import EMAIL

KINDS = ("milestone", "new_member", "digest", "health")
REF = {"milestone": "event_id", "new_member": "event_id", "digest": "digest_id", "health": "notice_id"}


def message_id(*parts: str, channel: str, domain: str) -> str:
    """The stable id of one message (``parts`` name it and its recipient) on one channel. The
    email channel keeps the id messages had before channels existed, so a dataset migrated
    mid-outage resends with the same Message-ID."""
    if channel == EMAIL:
        return stable_message_id(*parts, domain=domain)
    return stable_message_id(*parts, channel, domain=domain)


def enqueue(conn: sqlite3.Connection, kind: str, ref: int, recipient: str, channel: str,
            message_id: str | None) -> bool:
    """Queue one message; False when that message to that recipient and channel already exists."""
    cur = conn.execute(
        f"INSERT OR IGNORE INTO outbox (kind, {REF[kind]}, recipient, channel, message_id, created, next_attempt)"
        " VALUES (?,?,?,?,?,?,?)",
        (kind, ref, recipient, channel, message_id, now_iso(), now_iso()),
    )
    return cur.rowcount > 0
