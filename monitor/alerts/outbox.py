"""The outbox: one alert per (event, subscriber), delivered exactly once.

Alerts are created in the transaction that stores their event (``alert_creator``). Delivery
(``deliver``) marks an alert ``sending`` and commits before talking to the server, and ``sent``
only after the server accepted it. An alert found in ``sending`` after a crash is sent again with
the same Message-ID, so a receiving system can drop the duplicate; a Maildir drops it itself.
Failures are retried with exponential backoff; an address the server rejects permanently is not.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from crawler.config import Config, EmailSettings
from crawler.errors import ClusterwatchError
from crawler.locks import LockError, open_lock
from crawler.store import StoreError, now_iso, rows
from monitor.alerts.message import MilestoneContext, build_milestone_message, stable_message_id
from monitor.alerts.transport import (
    DeliveryError,
    MaildirTransport,
    SmtpSettings,
    SmtpTransport,
    password_from_env,
)
from monitor.events import open_dataset, timeline, with_sources

MAX_BACKOFF = timedelta(hours=6)
FIRST_BACKOFF = timedelta(minutes=2)


def alert_creator(config: Config) -> Callable[[sqlite3.Connection, int, dict[str, Any]], None] | None:
    subs = config.subscribers
    if not subs:
        return None
    domain = config.email.domain

    def create(conn: sqlite3.Connection, event_id: int, info: dict[str, Any]) -> None:
        key = conn.execute("SELECT coalesce(milestone_key, key) FROM events WHERE id = ?", (event_id,)).fetchone()[0]
        for sub in subs:
            if sub.wants(info["kind"], info["milestone"], info["programme"]):
                conn.execute(
                    "INSERT OR IGNORE INTO alerts (event_id, subscriber, message_id, created, next_attempt)"
                    " VALUES (?,?,?,?,?)",
                    (event_id, sub.email, stable_message_id(key, sub.email, domain=domain), now_iso(), now_iso()),
                )

    return create


def transport_for(settings: EmailSettings) -> SmtpTransport | MaildirTransport:
    if not settings.host:
        return MaildirTransport(settings.maildir)
    return SmtpTransport(SmtpSettings(
        host=settings.host, port=settings.port, security=settings.security, username=settings.username,
        password=password_from_env(settings.password_env), timeout=settings.timeout,
    ))


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    rejected: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.rejected)


def milestone_message(conn: sqlite3.Connection, alert: dict[str, Any], settings: EmailSettings,
                      language: str) -> EmailMessage:
    event = with_sources(conn, dict(next(rows(conn, "SELECT * FROM events WHERE id = ?", (alert["event_id"],)))))
    points = history(timeline(conn, event["programme"]) if event["programme"] else [], event["published"])
    chart = None
    if len(points) >= 1:
        from monitor.chart import timeline_png

        chart = timeline_png(event["programme"], points, width=5.0, height=2.2)
    ctx = MilestoneContext(
        programme=event["programme"] or "?", kind=event["kind"], number=event["number"], member=event["member"],
        place=event["place"], evidence=event["evidence"] or "", published=event["published"],
        sources=[(link["title"] or link["url"], link["source"], link["url"]) for link in event["links"]],
        timeline=[(p["date"], p["number"]) for p in points], chart_png=chart,
    )
    return build_milestone_message(ctx, sender=settings.sender, recipient=alert["subscriber"],
                                   message_id=alert["message_id"], language=language,
                                   unsubscribe=unsubscribe_text(settings, alert["subscriber"], language),
                                   unsubscribe_url=unsubscribe_url(settings, alert["subscriber"]))


def history(points: list[dict[str, Any]], published: str | None) -> list[dict[str, Any]]:
    """The programme's dated member numbers up to the milestone: an email about the 100th member
    of 2014 does not show 2019's figures as if they were its history."""
    return [p for p in points if p["date"] and (published is None or p["date"] <= published)]


def unsubscribe_url(settings: EmailSettings, email: str) -> str | None:
    """The List-Unsubscribe target: the configured URL, else a mail to the admin, else none."""
    if settings.unsubscribe:
        return settings.unsubscribe
    if settings.admin:
        return f"mailto:{settings.admin}?subject=unsubscribe%20{email}"
    return None


def unsubscribe_text(settings: EmailSettings, email: str, language: str = "de") -> str:
    """The footer's way out, in the subscriber's language, naming something that works."""
    if settings.unsubscribe:
        return settings.unsubscribe
    if settings.admin:
        if language == "de":
            return f"E-Mail an {settings.admin} mit dem Betreff „unsubscribe {email}“"
        return f"email {settings.admin} with the subject \"unsubscribe {email}\""
    if language == "de":
        return f'den Eintrag [[subscribers]] mit email = "{email}" aus {settings.config_file} entfernen'
    return f'remove the [[subscribers]] entry with email = "{email}" from {settings.config_file}'



def deliver(config: Config, *, now: datetime | None = None, due_only: bool = False,
            transport: SmtpTransport | MaildirTransport | None = None) -> DeliveryReport:
    """Deliver pending alerts; never raises for a delivery failure (it is recorded and reported).

    ``due_only`` (the service) respects each failed alert's backoff; an analyst running
    `clusterwatch notify` by hand retries every failed alert now.
    """
    settings = config.email
    languages = {s.email: s.language for s in config.subscribers}
    db = open_dataset(config.database)
    conn = db.conn
    report = DeliveryReport()
    moment = now or datetime.now(UTC)
    # One delivery at a time across processes (the service and a hand-run notify): an alert left
    # 'sending' is then certainly from a delivery that died, and is the only kind sent twice.
    try:
        lock = open_lock(f"{config.database}.deliver.lock")  # held until the finally below
    except LockError as exc:
        raise StoreError(exc.strerror) from None
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        # Alerts for someone no longer in [[subscribers]] are not sent.
        if languages:
            marks = ",".join("?" * len(languages))
            conn.execute(f"UPDATE alerts SET state = 'cancelled' WHERE state IN ('pending', 'failed', 'sending')"
                         f" AND subscriber NOT IN ({marks})", list(languages))
        else:
            conn.execute("UPDATE alerts SET state = 'cancelled' WHERE state IN ('pending', 'failed', 'sending')")
        due = list(rows(conn,
            "SELECT * FROM alerts WHERE state IN ('pending', 'failed', 'sending')"
            " AND (? = 0 OR next_attempt IS NULL OR next_attempt <= ?) ORDER BY id",
            (int(due_only), moment.isoformat(timespec="seconds"))))
        digests = conn.execute("SELECT count(*) FROM digests WHERE state IN ('pending', 'failed')").fetchone()[0]
        notices = conn.execute("SELECT count(*) FROM health_notices WHERE sent IS NULL").fetchone()[0]
        if not (due or digests or (notices and settings.admin)):
            return report
        transport = transport or transport_for(settings)
        for alert in due:
            try:
                message = milestone_message(conn, alert, settings, languages.get(alert["subscriber"], "de"))
            except Exception as exc:  # a message that cannot be built must not block the others
                _failed(conn, alert, f"cannot build message: {type(exc).__name__}: {exc}", moment, permanent=False)
                report.failed += 1
                report.messages.append(f"alert {alert['id']} to {alert['subscriber']}: cannot build message: {exc}")
                continue
            conn.execute("UPDATE alerts SET state = 'sending', attempts = attempts + 1 WHERE id = ?", (alert["id"],))
            try:
                transport.send(message)
            except Exception as exc:  # noqa: BLE001  # any transport fault is a failed attempt, never a crash
                error = exc if isinstance(exc, DeliveryError) else DeliveryError(f"{type(exc).__name__}: {exc}")
                _failed(conn, alert, error.reply or str(error), moment, permanent=error.permanent)
                if error.permanent:
                    report.rejected += 1
                    report.messages.append(f"alert {alert['id']}: {alert['subscriber']} rejected permanently: {error}")
                else:
                    report.failed += 1
                    report.messages.append(f"alert {alert['id']} to {alert['subscriber']}: {error} (will retry)")
                continue
            conn.execute("UPDATE alerts SET state = 'sent', sent = ?, last_error = NULL WHERE id = ?",
                         (now_iso(), alert["id"]))
            report.sent += 1
        from monitor.alerts.digest import send_digests
        from monitor.alerts.health import send_health_notices

        for send in (lambda: send_digests(conn, config, settings, transport),
                     lambda: send_health_notices(conn, settings, transport)):
            sent, failures = send()
            report.sent += sent
            report.failed += len(failures)
            report.messages += failures
        return report
    finally:
        close = getattr(transport, "close", None)
        if callable(close):
            close()
        conn.close()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def _failed(conn: sqlite3.Connection, alert: dict[str, Any], reply: str, moment: datetime, *, permanent: bool) -> None:
    attempts = alert["attempts"] + 1
    # The exponent is capped so that weeks of outage cannot overflow the delay.
    delay = min(FIRST_BACKOFF * (2 ** min(attempts - 1, 16)), MAX_BACKOFF)
    conn.execute(
        "UPDATE alerts SET state = ?, last_error = ?, next_attempt = ?, attempts = ? WHERE id = ?",
        ("rejected" if permanent else "failed", reply[:500],
         None if permanent else (moment + delay).isoformat(timespec="seconds"), attempts, alert["id"]),
    )


def list_alerts(config: Config) -> list[dict[str, Any]]:
    db = open_dataset(config.database)
    try:
        return list(rows(db.conn,
            "SELECT a.id, a.subscriber, a.state, a.attempts, a.next_attempt, a.last_error, a.created, a.sent,"
            " a.message_id, e.kind, e.programme, e.number, e.member FROM alerts a JOIN events e ON e.id = a.event_id"
            " ORDER BY a.id"))
    finally:
        db.conn.close()


class NoSuchAlert(ClusterwatchError):
    """`clusterwatch retry` was given an alert id that is not in the dataset."""


def retry_alert(config: Config, alert_id: int) -> None:
    db = open_dataset(config.database)
    try:
        cur = db.conn.execute(
            "UPDATE alerts SET state = 'pending', next_attempt = ?, last_error = NULL WHERE id = ?",
            (now_iso(), alert_id))
        if cur.rowcount == 0:
            raise NoSuchAlert(f"no alert with id {alert_id}: 'clusterwatch alerts' lists them")
    finally:
        db.conn.close()
