"""Source-health notices for the admin: a source broke, went quiet, or recovered.

Each change is recorded once (``health_notices``) and queued in the outbox for every health route
(``email.admin`` and ``[health] channels``); the outbox sends and retries it. Besides failures
(``crawler.health.source_health``), two kinds of quiet breakage are caught, after Spidermon's job
comparison: a run whose items fall far below the source's recent median, and a source that has
stopped producing new items for much longer than its usual rhythm. This module never imports the
outbox.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from statistics import median
from typing import Any

from crawler.config import Config
from crawler.health import source_health
from crawler.store import immediate, now_iso, rows
from monitor.alerts.channels import Payload
from monitor.alerts.formats import health_document, health_text
from monitor.alerts.message import build_health_message
from monitor.alerts.queue import enqueue, message_id
from monitor.alerts.settings import EMAIL, EmailSettings, HealthSettings, email_settings, health_settings

UNHEALTHY = ("broken", "quiet")
# Runs that completed and read the source; a 304 (not modified) run says nothing about yield.
_READ = ("ok", "partial", "incomplete")
HISTORY = 60  # runs looked at for the median yield and the usual rhythm


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _span(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 60:.0f} minutes"


def quiet_breakage(runs: list[dict[str, Any]], settings: HealthSettings) -> str | None:
    """Why a source that does not fail is quiet, or None; ``runs`` newest first."""
    read = [r for r in runs if r["status"] in _READ and not r["not_modified"]]
    if not read:
        return None
    last, before = read[0], read[1:1 + 10]
    if len(before) >= settings.min_runs:
        usual = median(r["items"] for r in before)
        if usual > 0 and last["items"] < settings.low_ratio * usual:
            return (f"{last['items']} items in the last run, far below its recent median of {usual:g}"
                    f" (over {len(before)} runs)")
    # The rhythm: the gaps between runs that found something new.
    fresh = sorted(_when(r["started"]) for r in runs if r["status"] in _READ and r["new"] > 0)
    gaps = [(b - a).total_seconds() for a, b in zip(fresh, fresh[1:], strict=False)][-10:]
    if fresh and len(gaps) >= settings.min_runs - 1:
        usual_gap = median(gaps)
        # Measured to the latest run, not to the clock: a service that was off is not a quiet source.
        silent = (_when(last["started"]) - fresh[-1]).total_seconds()
        if usual_gap > 0 and silent > settings.silence_factor * usual_gap:
            return f"no new items for {_span(silent)}; new items usually came every {_span(usual_gap)}"
    return None


def queue_health_notices(config: Config, conn: sqlite3.Connection | None = None) -> int:
    """Record and queue a notice for every source whose health changed to or from broken or quiet."""
    from monitor.events import open_dataset

    own = conn is None
    if conn is None:
        conn = open_dataset(config.database).conn
    settings = health_settings(config)
    mail = email_settings(config)
    routes = settings.routes(mail.admin)
    queued = 0
    try:
        for source in config.sources:
            runs = list(rows(conn, "SELECT * FROM crawl_runs WHERE source = ? AND status != 'running'"
                                   " ORDER BY id DESC LIMIT ?", (source.name, HISTORY)))
            state, reason = source_health(runs[:10])
            if state == "ok":
                quiet = quiet_breakage([r for r in runs if r["status"] != "interrupted"], settings)
                if quiet:
                    state, reason = "quiet", quiet
            last = conn.execute("SELECT state FROM health_notices WHERE source = ? ORDER BY id DESC LIMIT 1",
                                (source.name,)).fetchone()
            previous = last[0] if last else "ok"
            if state in UNHEALTHY and previous not in UNHEALTHY:
                new_state = state
            elif state == "ok" and previous in UNHEALTHY:
                new_state, reason = "recovered", reason or f"was {previous}"
            else:
                continue
            with immediate(conn):
                cur = conn.execute("INSERT INTO health_notices (source, state, detail, created) VALUES (?,?,?,?)",
                                   (source.name, new_state, reason, now_iso()))
                assert cur.lastrowid is not None
                for channel in routes:
                    enqueue(conn, "health", cur.lastrowid, "admin", channel,
                            notice_message_id(cur.lastrowid, source.name, channel, mail.domain))
            queued += 1
        return queued
    finally:
        if own:
            conn.close()


def notice_message_id(notice_id: int, source: str, channel: str, domain: str) -> str:
    # The email form is the id notices had before the outbox, so a migrated notice keeps it.
    return message_id("health", str(notice_id), source, channel=channel, domain=domain)


def health_payload(conn: sqlite3.Connection, row: dict[str, Any], settings: EmailSettings) -> Payload:
    notice = next(rows(conn, "SELECT * FROM health_notices WHERE id = ?", (row["notice_id"],)))
    email = None
    if row["channel"] == EMAIL or row["channel"].lower().startswith(("mailto:", "mailtos:")):
        email = build_health_message(notice["source"], notice["state"], notice["detail"] or "",
                                     sender=settings.sender, recipient=settings.admin or settings.sender,
                                     message_id=row["message_id"])
    return Payload(title=f"clusterwatch: source {notice['source']} {notice['state']}",
                   text=health_text(notice["source"], notice["state"], notice["detail"] or ""),
                   document=health_document(notice, message_id=row["message_id"], recipient=row["recipient"]),
                   email=email, message_id=row["message_id"])
