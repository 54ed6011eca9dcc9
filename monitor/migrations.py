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
