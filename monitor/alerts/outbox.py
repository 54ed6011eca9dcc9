"""The outbox: every message (milestone, new member, digest, health notice) to every recipient on
every channel is one row of ``outbox``, delivered by one loop, exactly once.

One state machine for all of them: ``pending`` → ``sending`` → ``sent``, or ``failed`` (retried
with exponential backoff), ``rejected`` (permanently; `clusterwatch alerts retry ID` re-queues it)
or ``cancelled`` (its recipient or channel was removed from the configuration).

Each row has a stable id (the email's Message-ID, the webhook's ``X-Clusterwatch-Id`` and the
JSON document's ``id``), set before its first send. ``deliver`` marks a row ``sending`` and commits
before talking to the receiver, and ``sent`` only after the receiver accepted it. A row found in
``sending`` after a crash is sent again with the same id, so a receiver can drop the duplicate; a
Maildir drops it itself. Apprise never retries: this loop is the only place that does.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from crawler.config import Config
from crawler.errors import ClusterwatchError
from crawler.locks import LockError, open_lock
from crawler.store import StoreError, now_iso, rows
from monitor.alerts import channels
from monitor.alerts.channels import Payload
from monitor.alerts.digest import NothingToSend, digest_payload
from monitor.alerts.formats import milestone_document, milestone_text
from monitor.alerts.health import health_payload, notice_message_id
from monitor.alerts.message import MilestoneContext, build_milestone_message, milestone_subject
from monitor.alerts.queue import enqueue, message_id
from monitor.alerts.settings import (  # noqa: F401  # re-exported: the outbox's settings, as before
    DIGESTS,
    EMAIL,
    EVENT_KINDS,
    LANGUAGES,
    SECURITY,
    EmailSettings,
    Subscriber,
    email_settings,
    health_settings,
    subscribers,
    unsubscribe_text,
    unsubscribe_url,
)
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
OPEN = ("pending", "failed", "sending")  # states that the loop still has to finish


def _event_sources(conn: sqlite3.Connection, event_id: int) -> frozenset[str]:
    """Every source that reported the event: its announcements' and their sightings'."""
    return frozenset(r[0] for r in conn.execute(
        "SELECT a.source FROM evidence v JOIN announcements a ON a.id = v.announcement_id WHERE v.event_id = ?"
        " UNION SELECT s.source FROM evidence v JOIN sightings s ON s.announcement_id = v.announcement_id"
        " WHERE v.event_id = ?", (event_id, event_id)))


def alert_creator(config: Config) -> Callable[[sqlite3.Connection, int, dict[str, Any]], None] | None:
    subs = subscribers(config)
    if not subs:
        return None
    domain = config.email.domain

    def create(conn: sqlite3.Connection, event_id: int, info: dict[str, Any]) -> None:
        key = conn.execute("SELECT coalesce(milestone_key, key) FROM events WHERE id = ?", (event_id,)).fetchone()[0]
        kind = "milestone" if info["milestone"] else "new_member"
        sources = _event_sources(conn, event_id) if any(s.sources for s in subs) else None
        for sub in subs:
            if sub.wants(info["kind"], info["milestone"], info["programme"], sources):
                for channel in sub.routes:
                    enqueue(conn, kind, event_id, sub.key, channel,
                            message_id(key, sub.key, channel=channel, domain=domain))

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


def _event(conn: sqlite3.Connection, event_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    row = dict(next(rows(conn, "SELECT * FROM events WHERE id = ?", (event_id,))))
    return row, with_sources(conn, row)


def _context(conn: sqlite3.Connection, event: dict[str, Any], *, chart: bool = True) -> MilestoneContext:
    points = history(timeline(conn, event["programme"]) if event["programme"] else [], event["published"])
    png = None
    if chart and len(points) >= 1:
        from monitor.chart import timeline_png

        png = timeline_png(event["programme"], points, width=5.0, height=2.2)
    return MilestoneContext(
        programme=event["programme"] or "?", kind=event["kind"], number=event["number"], member=event["member"],
        place=event["place"], evidence=event["evidence"] or "", published=event["published"],
        sources=[(link["title"] or link["url"], link["source"], link["url"]) for link in event["links"]],
        timeline=[(p["date"], p["number"]) for p in points], chart_png=png,
    )


def milestone_message(conn: sqlite3.Connection, alert: dict[str, Any], settings: EmailSettings,
                      language: str) -> EmailMessage:
    _, event = _event(conn, alert["event_id"])
    recipient = alert["subscriber"]
    return build_milestone_message(_context(conn, event), sender=settings.sender, recipient=recipient,
                                   message_id=alert["message_id"], language=language,
                                   unsubscribe=unsubscribe_text(settings, recipient, language),
                                   unsubscribe_url=unsubscribe_url(settings, recipient))


def milestone_payload(conn: sqlite3.Connection, row: dict[str, Any], sub: Subscriber,
                      settings: EmailSettings) -> Payload:
    stored, event = _event(conn, row["event_id"])
    mail = row["channel"] == EMAIL or channels.channel_format(row["channel"]) == channels.MAIL
    ctx = _context(conn, event, chart=mail)
    subject = milestone_subject(ctx, sub.language)
    email = None
    if mail:
        recipient = sub.email or settings.sender  # a mailto: channel readdresses it
        email = build_milestone_message(ctx, sender=settings.sender, recipient=recipient,
                                        message_id=row["message_id"], language=sub.language,
                                        unsubscribe=unsubscribe_text(settings, sub.key, sub.language),
                                        unsubscribe_url=unsubscribe_url(settings, sub.key))
    return Payload(title=subject, text=milestone_text(event, subject, sub.language),
                   document=milestone_document(event, stored, kind=row["kind"], message_id=row["message_id"],
                                               recipient=sub.key, subject=subject, language=sub.language),
                   email=email, message_id=row["message_id"])


def history(points: list[dict[str, Any]], published: str | None) -> list[dict[str, Any]]:
    """The programme's dated member numbers up to the milestone: an email about the 100th member
    of 2014 does not show 2019's figures as if they were its history."""
    return [p for p in points if p["date"] and (published is None or p["date"] <= published)]


def _label(row: dict[str, Any]) -> tuple[str, str]:
    """How a row is named in reports: `alert 3 to ana@…`, `digest 7 to …`, plus a channel."""
    what = "alert" if row["kind"] in EVENT_KINDS else ("health notice" if row["kind"] == "health" else row["kind"])
    via = "" if row["channel"] == EMAIL else f" via {channels.describe(row['channel'].split('://', 1)[0])}://…"
    return f"{what} {row['id']}", via


def deliver(config: Config, *, now: datetime | None = None, due_only: bool = False,
            transport: SmtpTransport | MaildirTransport | None = None) -> DeliveryReport:
    """Deliver every due message in the outbox; never raises for a delivery failure (it is
    recorded and reported), and one failing message never keeps the others from being sent.

    ``due_only`` (the service) respects each failed row's backoff; an analyst running
    `clusterwatch notify` by hand retries every failed row now.
    """
    settings = email_settings(config)
    subs = {s.key: s for s in subscribers(config)}
    health = health_settings(config)
    db = open_dataset(config.database)
    conn = db.conn
    report = DeliveryReport()
    mail = _Mail(settings, transport)
    moment = now or datetime.now(UTC)
    # One delivery at a time across processes (the service and a hand-run notify): a row left
    # 'sending' is then certainly from a delivery that died, and is the only kind sent twice.
    try:
        lock = open_lock(f"{config.database}.deliver.lock")  # held until the finally below
    except LockError as exc:
        raise StoreError(exc.strerror) from None
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        _cancel_unrouted(conn, subs, health.routes(settings.admin))
        due = list(rows(conn,
            "SELECT * FROM outbox WHERE state IN ('pending', 'failed', 'sending')"
            " AND (? = 0 OR next_attempt IS NULL OR next_attempt <= ?) ORDER BY id",
            (int(due_only), moment.isoformat(timespec="seconds"))))
        for row in due:
            _deliver_one(conn, row, subs, settings, moment, report, mail)
        return report
    finally:
        mail.close()
        conn.close()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


class _Mail:
    """The email transport of one delivery, made on its first email: a delivery of webhook
    messages alone never touches the SMTP server or the Maildir."""

    def __init__(self, settings: EmailSettings, given: SmtpTransport | MaildirTransport | None) -> None:
        self.settings = settings
        self.transport = given

    def send(self, message: EmailMessage) -> str:
        if self.transport is None:
            self.transport = transport_for(self.settings)
        return self.transport.send(message)

    def close(self) -> None:
        close = getattr(self.transport, "close", None)
        if callable(close):
            close()


def _cancel_unrouted(conn: sqlite3.Connection, subs: dict[str, Subscriber], health_routes: tuple[str, ...]) -> None:
    """Rows for a recipient or channel no longer in the configuration are not sent."""
    for row in list(rows(conn, "SELECT id, kind, recipient, channel FROM outbox WHERE state IN"
                               " ('pending', 'failed', 'sending')")):
        if row["kind"] == "health":
            routed = row["recipient"] == "admin" and row["channel"] in health_routes
        else:
            sub = subs.get(row["recipient"])
            routed = sub is not None and row["channel"] in sub.routes
        if not routed:
            conn.execute("UPDATE outbox SET state = 'cancelled' WHERE id = ?", (row["id"],))


def _payload(conn: sqlite3.Connection, row: dict[str, Any], subs: dict[str, Subscriber],
             settings: EmailSettings) -> Payload:
    if row["kind"] == "health":
        return health_payload(conn, row, settings)
    sub = subs[row["recipient"]]
    if row["kind"] == "digest":
        return digest_payload(conn, row, sub, settings)
    return milestone_payload(conn, row, sub, settings)


def _deliver_one(conn: sqlite3.Connection, row: dict[str, Any], subs: dict[str, Subscriber],
                 settings: EmailSettings, moment: datetime, report: DeliveryReport, mail: _Mail) -> None:
    name, via = _label(row)
    if not row["message_id"]:
        # A notice migrated from before the outbox: its id, derived as it was then, is recorded
        # before its first send.
        notice = conn.execute("SELECT source FROM health_notices WHERE id = ?", (row["notice_id"],)).fetchone()
        row["message_id"] = notice_message_id(row["notice_id"], notice[0] if notice else "?", row["channel"],
                                              settings.domain)
        conn.execute("UPDATE outbox SET message_id = ? WHERE id = ?", (row["message_id"], row["id"]))
    to = settings.admin if row["kind"] == "health" and row["channel"] == EMAIL else row["recipient"]
    try:
        payload = _payload(conn, row, subs, settings)
    except NothingToSend:
        # What matched when the digest was queued is gone (deleted rows): nothing to send.
        conn.execute("UPDATE outbox SET state = 'cancelled', last_error = 'nothing left to send' WHERE id = ?",
                     (row["id"],))
        return
    except Exception as exc:  # noqa: BLE001  # a message that cannot be built must not block the others
        _failed(conn, row, f"cannot build message: {type(exc).__name__}: {exc}", moment, permanent=False)
        report.failed += 1
        report.messages.append(f"{name} to {to}{via}: cannot build message: {exc}")
        return
    conn.execute("UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?", (row["id"],))
    try:
        if row["channel"] == EMAIL:
            assert payload.email is not None
            mail.send(payload.email)
        else:
            channels.send(row["channel"], payload, sender=settings.sender, timeout=settings.timeout)
    except Exception as exc:  # noqa: BLE001  # any transport fault is a failed attempt, never a crash
        error = exc if isinstance(exc, DeliveryError) else DeliveryError(f"{type(exc).__name__}: {exc}")
        _failed(conn, row, error.reply or str(error), moment, permanent=error.permanent)
        if error.permanent:
            report.rejected += 1
            report.messages.append(f"{name}: {to}{via} rejected permanently: {error}")
        else:
            report.failed += 1
            report.messages.append(f"{name} to {to}{via}: {error} (will retry)")
        return
    conn.execute("UPDATE outbox SET state = 'sent', sent = ?, last_error = NULL WHERE id = ?", (now_iso(), row["id"]))
    report.sent += 1


def _failed(conn: sqlite3.Connection, row: dict[str, Any], reply: str, moment: datetime, *, permanent: bool) -> None:
    attempts = row["attempts"] + 1
    # The exponent is capped so that weeks of outage cannot overflow the delay.
    delay = min(FIRST_BACKOFF * (2 ** min(attempts - 1, 16)), MAX_BACKOFF)
    conn.execute(
        "UPDATE outbox SET state = ?, last_error = ?, next_attempt = ?, attempts = ? WHERE id = ?",
        ("rejected" if permanent else "failed", reply[:500],
         None if permanent else (moment + delay).isoformat(timespec="seconds"), attempts, row["id"]),
    )


def list_alerts(config: Config) -> list[dict[str, Any]]:
    """Every row of the outbox: alerts, digests and health notices, with their delivery state."""
    db = open_dataset(config.database)
    try:
        return list(rows(db.conn,
            "SELECT o.id, o.recipient AS subscriber, o.channel, o.kind AS message, o.state, o.attempts,"
            " o.next_attempt, o.last_error, o.created, o.sent, o.message_id, coalesce(e.kind, o.kind) AS kind,"
            " e.programme, e.number, e.member FROM outbox o LEFT JOIN events e ON e.id = o.event_id"
            " ORDER BY o.id"))
    finally:
        db.conn.close()


class NoSuchAlert(ClusterwatchError):
    """`clusterwatch retry` was given an alert id that is not in the dataset."""


def retry_alert(config: Config, alert_id: int) -> None:
    db = open_dataset(config.database)
    try:
        cur = db.conn.execute(
            "UPDATE outbox SET state = 'pending', next_attempt = ?, last_error = NULL WHERE id = ?",
            (now_iso(), alert_id))
        if cur.rowcount == 0:
            raise NoSuchAlert(f"no alert with id {alert_id}: 'clusterwatch alerts' lists them")
    finally:
        db.conn.close()
