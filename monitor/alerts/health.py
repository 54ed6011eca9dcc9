"""Source-health notices for the admin: a source broke, a source recovered. Each change is
recorded once (``health_notices``) and mailed to ``email.admin`` by the next delivery."""

from __future__ import annotations

import sqlite3

from crawler.config import Config, EmailSettings
from crawler.health import source_health
from crawler.store import now_iso, rows
from monitor.alerts.message import build_health_message, stable_message_id
from monitor.alerts.transport import DeliveryError, MaildirTransport, SmtpTransport


def queue_health_notices(config: Config, conn: sqlite3.Connection | None = None) -> int:
    """Record a notice for every source whose health changed to or from broken."""
    from monitor.events import open_dataset

    own = conn is None
    if conn is None:
        conn = open_dataset(config.database).conn
    queued = 0
    try:
        for source in config.sources:
            runs = list(rows(conn, "SELECT * FROM crawl_runs WHERE source = ? AND status != 'running'"
                                   " ORDER BY id DESC LIMIT 10", (source.name,)))
            state, reason = source_health(runs)
            last = conn.execute("SELECT state FROM health_notices WHERE source = ? ORDER BY id DESC LIMIT 1",
                                (source.name,)).fetchone()
            previous = last[0] if last else "ok"
            if state == "broken" and previous != "broken":
                new_state = "broken"
            elif state == "ok" and previous == "broken":
                new_state = "recovered"
            else:
                continue
            conn.execute("INSERT INTO health_notices (source, state, detail, created) VALUES (?,?,?,?)",
                         (source.name, new_state, reason, now_iso()))
            queued += 1
        return queued
    finally:
        if own:
            conn.close()


def send_health_notices(conn: sqlite3.Connection, settings: EmailSettings,
                        transport: SmtpTransport | MaildirTransport) -> tuple[int, list[str]]:
    if not settings.admin:
        return 0, []
    sent, failures = 0, []
    for notice in list(rows(conn, "SELECT * FROM health_notices WHERE sent IS NULL ORDER BY id")):
        message = build_health_message(
            notice["source"], notice["state"], notice["detail"] or "", sender=settings.sender,
            recipient=settings.admin,
            message_id=stable_message_id("health", str(notice["id"]), notice["source"], domain=settings.domain))
        try:
            transport.send(message)
        except DeliveryError as exc:
            failures.append(f"health notice for {notice['source']} to {settings.admin}: {exc}")
            continue
        conn.execute("UPDATE health_notices SET sent = ? WHERE id = ?", (now_iso(), notice["id"]))
        sent += 1
    return sent, failures
