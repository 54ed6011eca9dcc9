"""The dataset's schema, as named migrations applied in order on every open.

A migration, once released, is never edited: a change to the schema is a new migration at the
end, so that every existing dataset upgrades the same way.
"""

from __future__ import annotations

from sqlite_migrate import Migrations
from sqlite_utils import Database

migrations = Migrations("clusterwatch.crawler")


@migrations(name="0001_announcements")
def m0001_announcements(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE announcements (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,             -- canonical URL where it was first seen
            title TEXT,
            published TEXT,                       -- ISO 8601; NULL when unknown
            published_evidence TEXT,              -- which evidence gave the date
            published_reason TEXT,                -- why the date is unknown
            source TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            text_kind TEXT NOT NULL DEFAULT 'full',
            author TEXT,
            descriptor TEXT,
            tags TEXT,                            -- JSON list
            text_hash TEXT,
            revision INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            analysed_at TEXT                      -- set by the detector
        );
        CREATE INDEX announcements_text_hash ON announcements(text_hash);
        CREATE INDEX announcements_published ON announcements(published);
        CREATE INDEX announcements_source ON announcements(source);

        CREATE TABLE sightings (
            id INTEGER PRIMARY KEY,
            announcement_id INTEGER NOT NULL REFERENCES announcements(id),
            url TEXT NOT NULL,
            source TEXT NOT NULL,
            match TEXT NOT NULL,                  -- origin | url | text | near
            similarity REAL,
            published TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            UNIQUE (url, source)
        );
        CREATE INDEX sightings_url ON sightings(url);
        CREATE INDEX sightings_announcement ON sightings(announcement_id);

        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            announcement_id INTEGER NOT NULL REFERENCES announcements(id),
            revision INTEGER NOT NULL,
            title TEXT,
            body TEXT NOT NULL,
            text_hash TEXT,
            replaced_at TEXT NOT NULL
        );
        CREATE INDEX revisions_announcement ON revisions(announcement_id);

        CREATE TABLE signatures (
            announcement_id INTEGER PRIMARY KEY REFERENCES announcements(id),
            signature BLOB NOT NULL
        );
        CREATE TABLE lsh_buckets (
            bucket INTEGER NOT NULL,
            announcement_id INTEGER NOT NULL,
            PRIMARY KEY (bucket, announcement_id)
        ) WITHOUT ROWID;
        """
    )


@migrations(name="0002_crawl_runs")
def m0002_crawl_runs(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            batch TEXT,
            source TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL DEFAULT 'running',   -- running | ok | failed | partial
            pages INTEGER NOT NULL DEFAULT 0,
            items INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            not_modified INTEGER NOT NULL DEFAULT 0,
            selector_misses INTEGER NOT NULL DEFAULT 0,
            http_errors INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            error_messages TEXT NOT NULL DEFAULT '[]'  -- JSON list of one-line messages
        );
        CREATE INDEX crawl_runs_source ON crawl_runs(source, started);

        CREATE TABLE http_validators (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            updated TEXT NOT NULL
        );
        """
    )


@migrations(name="0003_fts_trigram")
def m0003_fts(db: Database) -> None:
    # The trigram tokenizer matches inside German compounds ("Mitglied" in
    # "Mitgliedsunternehmen") and keeps umlauts intact, which unicode61 word tokens do not.
    db.table("announcements").enable_fts(["title", "body"], tokenize="trigram", create_triggers=True)


@migrations(name="0004_source_state")
def m0004_source_state(db: Database) -> None:
    # Whether a listing source has once been read to the end of its archive: until then its
    # incremental stop rule must not apply, or a first crawl cut short would never be completed.
    db.executescript(
        """
        CREATE TABLE source_state (
            source TEXT PRIMARY KEY,
            backfill_complete INTEGER NOT NULL DEFAULT 0,
            updated TEXT NOT NULL
        );
        """
    )


@migrations(name="0005_sighting_titles")
def m0005_sighting_titles(db: Database) -> None:
    # Each address's own title: an email's source links were all labelled with the first
    # announcement's title, a rewritten report and an unrelated article alike.
    db.execute("ALTER TABLE sightings ADD COLUMN title TEXT")


@migrations(name="0006_archive_provenance")
def m0006_archive_provenance(db: Database) -> None:
    # Rows rebuilt from a web archive (`clusterwatch backfill`) say where they came from: the
    # archive, the capture's timestamp (YYYYMMDDhhmmss) and its original address. NULL: live.
    for table in ("announcements", "sightings", "revisions"):
        for column in ("archive", "archive_timestamp", "archive_url"):
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
    db.executescript(
        """
        -- The backfill's memory: every capture it handled, so that a resumed or repeated run
        -- fetches none of them again.
        CREATE TABLE archive_captures (
            id INTEGER PRIMARY KEY,
            archive TEXT NOT NULL,
            source TEXT NOT NULL,
            timestamp TEXT NOT NULL,
            original TEXT NOT NULL,
            digest TEXT,
            state TEXT NOT NULL,                 -- stored | skipped | failed
            result TEXT,                         -- new, updated, duplicate, ... or why it was skipped
            announcement_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 1,
            handled TEXT NOT NULL,
            UNIQUE (archive, source, timestamp, original)
        );
        CREATE INDEX archive_captures_digest ON archive_captures(archive, source, digest);
        """
    )


@migrations(name="0007_announcement_language")
def m0007_announcement_language(db: Database) -> None:
    # The page's declared language as extraction found it, handed to detection (NULL: not
    # declared, or stored before it was kept; detection then guesses from the words).
    db.execute("ALTER TABLE announcements ADD COLUMN language TEXT")


@migrations(name="0008_fts_title_body_triggers")
def m0008_fts_title_body_triggers(db: Database) -> None:
    # The update trigger sqlite-utils wrote (0003) fires on an update of ANY column: marking a row
    # analysed (analysed_at) or seen again (last_seen) deleted and re-indexed its whole text, and
    # every such pass grew the dataset (by 1.2 GB for one `detect --all` over 100,000 rows). Only a
    # changed title or body changes what the index holds. The index itself is left as it is: the
    # triggers are replaced, nothing is rebuilt, so an existing dataset upgrades at once.
    db.executescript(
        """
        DROP TRIGGER IF EXISTS announcements_au;
        CREATE TRIGGER announcements_au AFTER UPDATE OF title, body ON announcements
        WHEN old.title IS NOT new.title OR old.body IS NOT new.body
        BEGIN
          INSERT INTO announcements_fts (announcements_fts, rowid, title, body)
            VALUES ('delete', old.rowid, old.title, old.body);
          INSERT INTO announcements_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
        END;
        """
    )


@migrations(name="0009_word_and_fragment_indexes")
def m0009_word_and_fragment_indexes(db: Database) -> None:
    # The trigram index with positions (0003) was most of a dataset: about 20 GB at 1,000,000
    # announcements, 3.3 times the text, and ranking a common term read every match (2 s for
    # "cluster"). Two indexes replace it:
    # - announcements_fts: words (unicode61), with positions, for ranked search, phrases,
    #   snippets and Datasette's table search; a query word also matches as the start of a longer
    #   word ("Mitglied" finds "Mitgliedsunternehmen").
    # - announcements_fts_fragments: trigrams without positions (detail=none, about a tenth of
    #   the size), for a fragment inside a compound ("unternehmen" in "Mitgliedsunternehmen"),
    #   queried with LIKE, which SQLite answers from the trigrams and checks against the text.
    # Existing datasets are re-indexed once here.
    db.executescript(
        """
        DROP TRIGGER IF EXISTS announcements_ai;
        DROP TRIGGER IF EXISTS announcements_ad;
        DROP TRIGGER IF EXISTS announcements_au;
        DROP TABLE IF EXISTS announcements_fts;
        CREATE VIRTUAL TABLE announcements_fts USING fts5(
            title, body, content="announcements", content_rowid="id",
            tokenize="unicode61 remove_diacritics 2"
        );
        CREATE VIRTUAL TABLE announcements_fts_fragments USING fts5(
            title, body, content='announcements', content_rowid='id', tokenize='trigram', detail=none
        );
        CREATE TRIGGER announcements_ai AFTER INSERT ON announcements BEGIN
          INSERT INTO announcements_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
          INSERT INTO announcements_fts_fragments (rowid, title, body) VALUES (new.id, new.title, new.body);
        END;
        CREATE TRIGGER announcements_ad AFTER DELETE ON announcements BEGIN
          INSERT INTO announcements_fts (announcements_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
          INSERT INTO announcements_fts_fragments (announcements_fts_fragments, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        END;
        -- Only a changed title or body changes what the indexes hold (see 0008_fts_title_body_triggers).
        CREATE TRIGGER announcements_au AFTER UPDATE OF title, body ON announcements
        WHEN old.title IS NOT new.title OR old.body IS NOT new.body
        BEGIN
          INSERT INTO announcements_fts (announcements_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
          INSERT INTO announcements_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
          INSERT INTO announcements_fts_fragments (announcements_fts_fragments, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
          INSERT INTO announcements_fts_fragments (rowid, title, body) VALUES (new.id, new.title, new.body);
        END;
        INSERT INTO announcements_fts (announcements_fts) VALUES ('rebuild');
        INSERT INTO announcements_fts_fragments (announcements_fts_fragments) VALUES ('rebuild');
        """
    )


@migrations(name="0010_signature_scheme")
def m0010_signature_scheme(db: Database) -> None:
    # Which MinHash scheme the dataset's signatures were computed with (crawler.fingerprint):
    # signatures of two schemes never compare, so a dataset that has signatures keeps scheme 1
    # (datasketch's), and a new one starts with scheme 2 (hashes computed as arrays, about five
    # times faster). Nothing is recomputed here.
    db.executescript(
        """
        CREATE TABLE dataset_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO dataset_settings (key, value)
          SELECT 'signature_scheme', CASE WHEN EXISTS (SELECT 1 FROM signatures) THEN '1' ELSE '2' END;
        """
    )


@migrations(name="0011_word_vocabulary")
def m0011_word_vocabulary(db: Database) -> None:
    # The word index's vocabulary as a table (FTS5's fts5vocab: nothing stored, read from the index),
    # for Datasette's canned search: a word followed by * is looked up there and stands for at
    # most 60 index words, instead of FTS5 merging the postings of every word it starts (thousands
    # in a large dataset: half a second for `Mitglied*` at 1,000,000 announcements).
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS announcements_fts_vocab USING fts5vocab(announcements_fts, row)")


@migrations(name="0012_pending_band_keys")
def m0012_pending_band_keys(db: Database) -> None:
    # A bulk load's band keys, before they are merged into lsh_buckets (crawler.store, BULK_PENDING_BANDS).
    # lsh_buckets is keyed by the band key, a hash: a batch's 64,000 keys landed on nearly every
    # page of it, so each batch rewrote the whole table and a load slowed down as the dataset grew.
    # Here a row holds one announcement's keys (8-byte little-endian integers), appended; they are
    # merged in key order now and then. The writer row says which load last wrote them (its
    # in-memory copy is still right while the row is its own).
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS lsh_pending (
            announcement_id INTEGER NOT NULL,
            buckets BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS lsh_pending_announcement ON lsh_pending(announcement_id);
        CREATE TABLE IF NOT EXISTS lsh_pending_writer (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            token TEXT NOT NULL
        );
        """
    )


@migrations(name="0013_band_keys_by_announcement")
def m0013_band_keys_by_announcement(db: Database) -> None:
    # The band keys each announcement has in lsh_buckets, kept beside its signature (8-byte
    # little-endian integers, in the order they were indexed), so that replacing its text deletes
    # exactly those rows by key. Before, DELETE FROM lsh_buckets WHERE announcement_id = ? read the
    # whole table: 0.33 s per revised text at 300,000 announcements (9,600,000 keys), item by item
    # and in a bulk load alike. The stored signature alone cannot say which keys: a promoted copy
    # adds its own keys under the announcement. An index on lsh_buckets(announcement_id) would
    # say, but cost every bulk item 7-9 % of the loading thread (its maintenance in the merges).
    # Existing datasets: filled here from lsh_buckets and lsh_pending (about 10 s at 300,000
    # announcements, once).
    import struct
    from itertools import groupby

    conn = db.conn
    conn.execute("ALTER TABLE signatures ADD COLUMN buckets BLOB")
    keys: dict[int, set[int]] = {}
    for ann_id, blob in conn.execute("SELECT announcement_id, buckets FROM lsh_pending"):
        keys.setdefault(ann_id, set()).update(struct.unpack(f"<{len(blob) // 8}q", blob))
    rows = conn.execute("SELECT announcement_id, bucket FROM lsh_buckets ORDER BY announcement_id")
    updates = []
    for ann_id, found in groupby(rows, key=lambda row: row[0]):
        both = keys.pop(ann_id, set()) | {bucket for _, bucket in found}
        updates.append((struct.pack(f"<{len(both)}q", *sorted(both)), ann_id))
        if len(updates) >= 10_000:
            conn.executemany("UPDATE signatures SET buckets = ? WHERE announcement_id = ?", updates)
            updates = []
    updates += [(struct.pack(f"<{len(found)}q", *sorted(found)), ann_id) for ann_id, found in keys.items()]
    conn.executemany("UPDATE signatures SET buckets = ? WHERE announcement_id = ?", updates)
    conn.execute("UPDATE signatures SET buckets = x'' WHERE buckets IS NULL")
