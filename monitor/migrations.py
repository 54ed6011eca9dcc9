"""The monitor's tables in the dataset (events, evidence, alerts), as named migrations.

They live in their own migration set beside the crawler's, so that the crawler never needs to know
about them; ``monitor.events.open_dataset`` applies both.
"""

from __future__ import annotations

from sqlite_migrate import Migrations
from sqlite_utils import Database

migrations = Migrations("clusterwatch.monitor")


@migrations(name="0001_events")
def m0001_events(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,            -- kind|programme|number-or-member: one event, many sources
            kind TEXT NOT NULL,                  -- member_ordinal | member_count | new_member
            programme TEXT,
            number INTEGER,
            member TEXT,
            place TEXT,
            qualifier TEXT,
            published TEXT,                      -- earliest publication date of its evidence (YYYY-MM-DD)
            milestone INTEGER NOT NULL DEFAULT 0,
            milestone_key TEXT UNIQUE,           -- programme|threshold: one milestone, one alert
            retracted INTEGER NOT NULL DEFAULT 0,-- no evidence left after re-analysis
            first_detected TEXT NOT NULL
        );
        CREATE INDEX events_programme ON events(programme, published);

        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            announcement_id INTEGER NOT NULL REFERENCES announcements(id),
            sentence TEXT NOT NULL,
            rule TEXT NOT NULL,
            published TEXT,
            detected TEXT NOT NULL,
            UNIQUE (event_id, announcement_id, sentence)
        );
        CREATE INDEX evidence_announcement ON evidence(announcement_id);
        """
    )


@migrations(name="0002_alerts")
def m0002_alerts(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            subscriber TEXT NOT NULL,
            channel TEXT NOT NULL DEFAULT 'email',
            state TEXT NOT NULL DEFAULT 'pending',   -- pending | sending | sent | failed | rejected
            message_id TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt TEXT,
            last_error TEXT,
            created TEXT NOT NULL,
            sent TEXT,
            UNIQUE (event_id, subscriber, channel)
        );
        CREATE INDEX alerts_state ON alerts(state, next_attempt);

        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            subscriber TEXT NOT NULL,
            period TEXT NOT NULL,
            since TEXT NOT NULL,
            until TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            message_id TEXT NOT NULL,
            items INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created TEXT NOT NULL,
            sent TEXT,
            UNIQUE (subscriber, period, until)
        );
        CREATE TABLE health_notices (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            state TEXT NOT NULL,
            detail TEXT,
            created TEXT NOT NULL,
            sent TEXT
        );
        """
    )


@migrations(name="0002_subscribers_seen")
def m0002_subscribers_seen(db: Database) -> None:
    # When each subscriber was first seen: a new installation's first notify must not send a weekly
    # digest at once, but one period later.
    db.executescript(
        """
        CREATE TABLE subscribers_seen (
            subscriber TEXT PRIMARY KEY,
            first_seen TEXT NOT NULL
        );
        """
    )


@migrations(name="0003_outbox")
def m0003_outbox(db: Database) -> None:
    # One outbox for every message (issue #16): alerts, digests and health notices were three
    # delivery loops with three sets of states. Every row of the old tables is carried over with
    # its state, attempts and Message-ID, so nothing sent is sent again and nothing pending is
    # lost; alert ids are kept (`clusterwatch alerts retry ID` still names the same alert).
    # `digests` and `health_notices` stay as the record of what each message says; their
    # delivery now lives in `outbox`. `alerts` becomes a view of the event rows, so queries
    # written against it keep working.
    # Statement by statement, not executescript (which commits first): the whole migration is
    # then the one transaction sqlite-migrate opens, so a crash in it leaves the old tables as
    # they were.
    for statement in _OUTBOX_MIGRATION:
        db.execute(statement)


_OUTBOX_MIGRATION = [
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                      -- milestone | new_member | digest | health
        recipient TEXT NOT NULL,                 -- subscriber's email or name; 'admin' for health
        channel TEXT NOT NULL DEFAULT 'email',   -- 'email' or the channel URL as configured (${VAR} for secrets)
        event_id INTEGER REFERENCES events(id),
        digest_id INTEGER REFERENCES digests(id),
        notice_id INTEGER REFERENCES health_notices(id),
        state TEXT NOT NULL DEFAULT 'pending',   -- pending | sending | sent | failed | rejected | cancelled
        message_id TEXT,                         -- stable id; set before the first send
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT,
        last_error TEXT,
        created TEXT NOT NULL,
        sent TEXT
    )
    """,
    """
    CREATE UNIQUE INDEX outbox_one ON outbox(kind, coalesce(event_id, digest_id, notice_id), recipient, channel)
    """,
    """
    CREATE INDEX outbox_due ON outbox(state, next_attempt)
    """,
    """
    INSERT INTO outbox (id, kind, recipient, channel, event_id, state, message_id, attempts, next_attempt,
                        last_error, created, sent)
        SELECT a.id, CASE WHEN e.kind = 'new_member' AND NOT e.milestone THEN 'new_member' ELSE 'milestone' END,
               a.subscriber, a.channel, a.event_id, a.state, a.message_id, a.attempts, a.next_attempt,
               a.last_error, a.created, a.sent
        FROM alerts a LEFT JOIN events e ON e.id = a.event_id ORDER BY a.id
    """,
    """
    -- An empty digest had nothing to send: it stays in `digests` only.
    INSERT INTO outbox (kind, recipient, channel, digest_id, state, message_id, attempts, next_attempt,
                        last_error, created, sent)
        SELECT 'digest', subscriber, 'email', id, state, message_id,
               CASE WHEN state IN ('failed', 'sent') THEN 1 ELSE 0 END,
               CASE WHEN state = 'failed' THEN created END, last_error, created, sent
        FROM digests WHERE state IN ('pending', 'failed', 'sent', 'cancelled') ORDER BY id
    """,
    """
    -- The Message-ID of a notice was derived at send time from the sender's domain, which the
    -- dataset does not hold: it is set again, the same way, before its first send.
    INSERT INTO outbox (kind, recipient, channel, notice_id, state, attempts, created, sent)
        SELECT 'health', 'admin', 'email', id, CASE WHEN sent IS NULL THEN 'pending' ELSE 'sent' END,
               CASE WHEN sent IS NULL THEN 0 ELSE 1 END, created, sent
        FROM health_notices ORDER BY id
    """,
    """
    DROP TABLE alerts
    """,
    """
    CREATE VIEW alerts AS
        SELECT id, event_id, recipient AS subscriber, channel, state, message_id, attempts, next_attempt,
               last_error, created, sent
        FROM outbox WHERE kind IN ('milestone', 'new_member')
    """,
    """
    -- An analyst (or an old script) editing an alert's delivery state edits the outbox row.
    CREATE TRIGGER alerts_update INSTEAD OF UPDATE ON alerts BEGIN
        UPDATE outbox SET state = NEW.state, attempts = NEW.attempts, next_attempt = NEW.next_attempt,
                          last_error = NEW.last_error, sent = NEW.sent
        WHERE id = OLD.id;
    END;
    """,
]
