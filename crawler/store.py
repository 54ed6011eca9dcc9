"""The dataset: where an item becomes a row, once per distinct announcement.

``Store.ingest`` is the heart of clusterwatch's deduplication. An item is matched, in order, by
its canonical URL, by the exact hash of its normalised text and by MinHash near-duplicate search;
a match records a sighting (and a revision when the text at the announcement's own address
changed), no match inserts a new announcement. Each ingest is one transaction, so a crash never
leaves half an announcement behind.
"""

from __future__ import annotations

import fcntl
import gc
import json
import sqlite3
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from crawler import fingerprint, precedence
from crawler.canonical import URLError, canonical_url
from crawler.errors import ClusterwatchError
from crawler.items import TEXT_KINDS, AnnouncementItem
from crawler.locks import LockError, open_lock
from crawler.sanitize import clean_line, clean_text

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 30_000
# The counters of a crawl run (crawl_runs columns).
RUN_COUNTS = ("pages", "items", "new", "updated", "duplicates", "unchanged", "not_modified",
              "selector_misses", "http_errors", "errors")


def sqlite_code(exc: BaseException) -> int:
    """The primary SQLite result code of an error (``sqlite3.SQLITE_BUSY``, ``SQLITE_READONLY`` ...),
    0 for an error Python raised itself: errors are told apart by code, never by message text."""
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


# The codes that say the dataset cannot be written: a read-only file or mount, a full disk, an
# I/O error, a file or folder that cannot be opened or created.
NOT_WRITABLE = frozenset({sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR,
                          sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM})


class StoreError(ClusterwatchError):
    """A dataset problem the user can act on."""


class DatasetMissing(StoreError):
    pass


class DatasetNotWritable(StoreError):
    """The dataset file or its folder cannot be written (permissions, read-only mount, full disk)."""


class BadItem(StoreError):
    """An item that cannot be stored (no usable URL, nothing to store)."""


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction that takes the write lock up front.

    A deferred BEGIN that reads, then writes, fails at once with "database is locked" when another
    process committed in between (the busy timeout cannot help); BEGIN IMMEDIATE waits for the lock.
    """
    if conn.in_transaction:
        # Inside a caller's transaction (the backfill stores a capture, its provenance and its
        # events as one): a savepoint, so that the whole stays one commit.
        conn.execute("SAVEPOINT nested")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        conn.execute("RELEASE nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


_now: tuple[int, str] = (-1, "")  # the last second now_iso() wrote, and how


def now_iso() -> str:
    """The current time to the second, ISO 8601 in UTC. Written once per second: a bulk load asks
    for it per item (a tenth of a microsecond instead of three)."""
    global _now
    second = int(time.time())
    if _now[0] != second:
        _now = (second, datetime.fromtimestamp(second, UTC).isoformat())
    return _now[1]


# Items per transaction in a bulk load (Store.ingest_many): the full-text indexes take a batch's
# texts in one statement each, and cost about a third less per text at 2,000 than at 500.
BULK_BATCH = 2000
# The first batch of a bulk load, prepared by the loading process itself while the other one
# starts (its imports, about 0.2 s) and prepares the second; each following batch is as many items
# larger, up to the batch size (1,000, 2,000, 2,000, ...). Four alternating rounds of 500, 750 and
# 1,000 (for 500: 500, 1,000, 1,500, 2,000 ...): 1,000 was the fastest in each (medians 2,323,
# 2,191 and 1,669 items/s for 1,000, 750 and 500 on a shared machine). Smaller batches cost more
# per text, about 30 ms a batch (the full-text indexes' segments, the commit): 0.48 ms per item in
# batches of 500, 0.41 in batches of 2,000 (0.45 in batches of 4,000).
BULK_FIRST_BATCH = 1000
# Batches handed to the other process ahead of the one being written: it goes on to the next
# while this one still writes (read from the items before their turn, at most this many batches).
BULK_AHEAD = 2
# The page cache of a bulk load's connection, in KiB (SQLite's default is 2,000): a batch's rows,
# index pages and full-text segments stay in memory until its commit instead of being read back
# from the operating system's cache, a tenth less CPU per item for the loading process.
BULK_CACHE_KIB = 64 * 1024
# FTS5's in-memory buffer of a bulk batch's index entries, per full-text index, in bytes (its
# 'hashsize', 1 MiB by default). With the default a batch of 2,000 was written as 13 small segments
# of the word index (3 of the trigram index), which FTS5 then merged; with this, one segment each:
# 0.12 to 0.10 ms of CPU per text for the word index (12,000 texts; 0.143 to 0.114 at 48,000, with
# the same cost of a final 'optimize' after both, so no merge work is left for later). The trigram
# index costs the same either way (0.22 ms per text: tokenising, not merging), and is set alike so
# that both indexes get one segment per batch. Set inside each batch's transaction and put back
# before its commit: it never outlives the batch, not even a killed one.
BULK_FTS_HASHSIZE = 16 * 1024 * 1024
# Band keys a bulk load gathers in ``lsh_pending`` before it merges them into ``lsh_buckets`` (and
# at its end). lsh_buckets is keyed by the band key, a hash: a batch's 64,000 keys (2,000 items, 32
# each) landed on nearly every page of it, so each batch's commit rewrote the whole table, and a
# load slowed down as the dataset grew (0.37 to 0.50 ms per item between 12,000 and 60,000
# announcements; at 250,000, 0.24 ms per item for the band keys alone). lsh_pending is keyed by
# announcement, so a batch's keys are appended; merged in key order, each page of lsh_buckets is
# written once per this many keys instead of once per batch. The load keeps a copy in memory (16
# bytes a key: 32 MB at this size) for its look-ups.
BULK_PENDING_BANDS = 2_000_000

# The full-text triggers of migration 0009, as a bulk load expects to find them (whitespace aside):
# it sets them aside during a batch only when they are these, and indexes the batch's new rows itself.
_FTS_TABLES = ("announcements_fts", "announcements_fts_fragments")
_FTS5_DEFAULT_HASHSIZE = 1024 * 1024  # FTS5's 'hashsize' when its table has none set
_FTS_INSERT_TRIGGER = " ".join(
    ["CREATE TRIGGER announcements_ai AFTER INSERT ON announcements BEGIN"]
    + [f"INSERT INTO {t} (rowid, title, body) VALUES (new.id, new.title, new.body);" for t in _FTS_TABLES]
    + ["END"])
_FTS_UPDATE_BODY = " ".join(
    f"INSERT INTO {t} ({t}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);"
    f" INSERT INTO {t} (rowid, title, body) VALUES (new.id, new.title, new.body);" for t in _FTS_TABLES)
_FTS_UPDATE_WHEN = "old.title IS NOT new.title OR old.body IS NOT new.body"
_FTS_UPDATE_TRIGGER = ("CREATE TRIGGER announcements_au AFTER UPDATE OF title, body ON announcements"
                       f" WHEN {_FTS_UPDATE_WHEN} BEGIN {_FTS_UPDATE_BODY} END")


@dataclass
class Prepared:
    """An item ready for matching: what can be computed without the dataset."""

    item: AnnouncementItem
    url: str
    body_words: list[str] | None  # None: not kept (a bulk load's other process); computed when asked
    words: list[str]
    digest: str | None
    scheme: int = fingerprint.SCHEME_DATASKETCH  # the dataset's (dataset_settings.signature_scheme)
    sig: fingerprint.Signature | None = None
    signed: bool = False  # whether ``sig`` was computed (None is also an answer: too short)

    def signature(self) -> fingerprint.Signature | None:
        if not self.signed:
            self.sig, self.signed = fingerprint.signature(self.words, self.scheme), True
        return self.sig

    def normalised_body(self) -> list[str]:
        if self.body_words is None:
            self.body_words = fingerprint.normalise_text(self.item.body)
        return self.body_words


def prepare_item(item: AnnouncementItem, scheme: int) -> Prepared:
    """What ingest needs of an item that reads no dataset: its canonical address, words and hash."""
    inert(item)
    try:
        url = canonical_url(item.url)
    except URLError as exc:
        raise BadItem(str(exc)) from None
    if not (item.title or item.body):
        raise BadItem(f"{url}: neither title nor text")
    body_words = fingerprint.normalise_text(item.body)
    words = fingerprint.normalise_text(item.title or "") + body_words
    return Prepared(item, url, body_words, words, fingerprint.text_hash(body_words), scheme)


def prepare_items(items: list[AnnouncementItem], scheme: int, *, compact: bool = False) -> list[Prepared | BadItem]:
    """Many items prepared at once, their signatures (and band keys) computed together; an item
    that cannot be stored is its BadItem, in its place. ``compact``: without the word lists once
    the signatures are computed (the body's words again only if ingest needs them), so that a
    large batch does not hold them all."""
    out: list[Prepared | BadItem] = []
    for item in items:
        try:
            out.append(prepare_item(item, scheme))
        except BadItem as exc:
            out.append(exc)
    ready = [p for p in out if isinstance(p, Prepared)]
    for p, sig in zip(ready, fingerprint.signatures([p.words for p in ready], scheme), strict=True):
        p.sig = sig.with_band_keys() if sig is not None else None
        p.signed = True
        if compact:
            p.words, p.body_words = [], None
    return out


# The fields of an item that ``inert`` cleans, in the order in which they cross to the preparing
# process and back (every list of them is this one).
CLEANED_FIELDS = ("title", "body", "author", "descriptor", "language", "tags")
_cleaned = attrgetter(*CLEANED_FIELDS)
# What the preparing process gets of an item: what ``prepare_item`` reads (its address, then the
# CLEANED_FIELDS), as ``item_fields`` gives it.
Fields = tuple[str, str | None, str, str | None, str | None, str | None, list[str]]
# Its answer per item: the canonical address, the text hash and the cleaned fields (None when
# cleaning changed nothing, the usual case), or the item's BadItem.
Answer = tuple[str, str | None, tuple[Any, ...] | None]
# A prepared batch as it crosses: the answers, which of them have a signature, and those
# signatures' values and band keys as two buffers.
Packed = tuple[list[Answer | BadItem], list[int], bytes, bytes]


def item_fields(item: AnnouncementItem) -> Fields:
    return (item.url, *_cleaned(item))  # type: ignore[return-value]


def prepare_fields(batch: list[Fields], scheme: int) -> Packed:
    """The preparing process's side of a batch (``crawler.prepare_child``): ``prepare_items`` on
    the items' fields, answered without what the loading process already holds (the texts, a
    tenth of the time both processes spent on the pipe): per item its address, hash and, only
    when cleaning changed them, its cleaned fields; the signatures as two buffers (values and band
    keys), which pickle as two strings instead of an array and a tuple of 32 numbers each.
    ``unpack_prepared`` puts the items back together."""
    import numpy as np

    items = []
    for url, *fields_of in batch:
        item = AnnouncementItem(url=url, source="")
        for name, value in zip(CLEANED_FIELDS, fields_of, strict=True):
            setattr(item, name, value)
        items.append(item)
    answers: list[Answer | BadItem] = []
    rows: list[int] = []
    sigs: list[fingerprint.Signature] = []
    for n, (fields, p) in enumerate(zip(batch, prepare_items(items, scheme, compact=True), strict=True)):
        if isinstance(p, BadItem):
            answers.append(p)
            continue
        cleaned = _cleaned(p.item)
        answers.append((p.url, p.digest, None if cleaned == fields[1:] else cleaned))
        if p.sig is not None:
            rows.append(n)
            sigs.append(p.sig)
    values = np.array([sig.hashvalues for sig in sigs], dtype="<u8").tobytes()
    keys = np.array([sig.band_keys() for sig in sigs], dtype="<i8").tobytes()
    return answers, rows, values, keys


def unpack_prepared(items: list[AnnouncementItem], packed: Packed, scheme: int
                    ) -> tuple[list[Prepared | BadItem], Any]:
    """The batch ``prepare_fields`` answered, as ``prepare_items`` gives it: each item cleaned as
    ``inert`` cleans it (in place, as ``ingest`` does), with its signature; and the signatures'
    band keys as one array (a row per signature, in order) for ``_BatchIndex``."""
    import numpy as np

    answers, rows, values, keys = packed
    out: list[Prepared | BadItem] = []
    for item, answer in zip(items, answers, strict=True):
        if isinstance(answer, BadItem):
            out.append(answer)
            continue
        url, digest, cleaned = answer
        if cleaned is not None:
            for name, value in zip(CLEANED_FIELDS, cleaned, strict=True):
                setattr(item, name, value)
        out.append(Prepared(item, url, None, [], digest, scheme, None, True))
    hashvalues = np.frombuffer(values, dtype="<u8").reshape(len(rows), fingerprint.NUM_PERM)
    band_keys = np.frombuffer(keys, dtype="<i8").reshape(len(rows), fingerprint.BANDS)
    for k, (n, key_row) in enumerate(zip(rows, band_keys.tolist(), strict=True)):
        p = out[n]
        assert isinstance(p, Prepared)
        p.sig = fingerprint.Signature(hashvalues[k], tuple(key_row), scheme)
    return out, band_keys


@dataclass(frozen=True)
class IngestResult:
    status: str  # new | updated | duplicate | unchanged
    announcement_id: int
    match: str  # origin | url | text | near
    similarity: float | None = None


def _with_migrate_lock(path: Path, work: Any) -> None:
    """Run ``work`` while holding the dataset's migration lock (one process at a time)."""
    try:
        lock = open_lock(f"{path}.migrate.lock")
    except LockError as exc:
        raise StoreError(f"dataset {path}: {exc.strerror}") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            work()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def apply_migrations(db: Database, migration_set: Any, path: Path) -> None:
    """Apply pending migrations, one process at a time: two crawls starting together on a new
    dataset would otherwise both create its tables. A dataset that a newer clusterwatch migrated
    further is refused: this version would write it without what the newer one keeps beside its
    tables (a bulk load's band keys waiting in lsh_pending, for one)."""
    known = _migration_names(migration_set)
    applied = [m.name for m in migration_set.applied(db)]
    if not set(known) <= set(applied):
        _with_migrate_lock(path, lambda: migration_set.apply(db))  # re-reads what is applied, under the lock
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise StoreError(f"dataset {path} was written by a newer clusterwatch (migration {unknown[0]},"
                         " which this version does not know): upgrade clusterwatch to use it")


_KNOWN_MIGRATIONS: dict[str, tuple[str, ...]] = {}


def _migration_names(migration_set: Any) -> tuple[str, ...]:
    """This version's migrations of a set, by name: what an empty database has pending (read once)."""
    if migration_set.name not in _KNOWN_MIGRATIONS:
        from sqlite_utils import Database

        _KNOWN_MIGRATIONS[migration_set.name] = tuple(m.name for m in migration_set.pending(Database(memory=True)))
    return _KNOWN_MIGRATIONS[migration_set.name]


def connect(path: str | Path) -> Database:
    """Open (creating if needed) the dataset for writing, with WAL and all migrations applied.

    The file is created, its folder is not: a mistyped --db would otherwise leave a whole folder
    tree behind, and a dataset in it that no other command finds.
    """
    # Imported here: a command that only reads (query, search) never migrates, and these modules
    # cost a tenth of its start-up.
    from sqlite_utils import Database

    from crawler.migrations import migrations

    path = Path(path)
    if path.is_dir():
        raise StoreError(_FOLDER.format(path=path))
    if not path.parent.is_dir():
        raise DatasetNotWritable(f"cannot create dataset {path}: the folder {path.parent} does not exist;"
                                 " create it first or pass another --db")
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # WAL lets analysts query while a crawl writes; NORMAL is durable across process crashes.
        # Switching a new file to WAL needs it to itself, and SQLite answers "database is locked"
        # at once rather than waiting when two crawls start together: one process at a time.
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            _with_migrate_lock(path, lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = Database(conn)
        apply_migrations(db, migrations, path)
        # Fail now, with a message, rather than halfway through a crawl: rewriting the header's
        # user_version is a real (tiny) write, which a read-only file or mount refuses.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {int(version)}")
    except sqlite3.OperationalError as exc:
        if sqlite_code(exc) in NOT_WRITABLE:
            raise DatasetNotWritable(
                f"dataset {path} cannot be written ({exc}): check the file's and folder's permissions and the free"
                " disk space, or use 'clusterwatch query' to read it"
            ) from None
        raise StoreError(f"cannot open dataset {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open dataset {path}: {exc}") from None
    return db


def require_dataset(path: str | Path) -> Path:
    """The dataset's path, for a command that only reads it: a missing one is an error, never created."""
    path = Path(path)
    if path.is_dir():
        raise StoreError(_FOLDER.format(path=path))
    if not path.is_file():
        raise DatasetMissing(f"no dataset at {path}: run 'clusterwatch crawl' first or pass --db")
    return path


_FOLDER = "dataset {path} is a folder; 'database' (or --db) must name a file"


def sqlite_uri(path: str | Path, mode: str = "ro") -> str:
    """The SQLite URI of a file path. Every URI is built here: unquoted, a '#' or '?' in the path
    ends it early, and SQLite opens (or creates) another file than the one named."""
    return f"file:{quote(Path(path).resolve().as_posix(), safe='/')}?mode={mode}"


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A connection that cannot write, attach another database or load an extension.

    Read-only is enforced by SQLite (mode=ro plus query_only), not by inspecting the SQL.
    """
    path = require_dataset(path)
    conn = sqlite3.connect(sqlite_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        # SQLite reads the file only at the first statement; a file that is not a dataset must be
        # reported here, in one line, not as a traceback from whichever query comes first.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"dataset {path} cannot be read as an SQLite database ({exc})") from None
    conn.execute("PRAGMA query_only = ON")
    if hasattr(conn, "enable_load_extension"):  # absent where Python was built without it
        conn.enable_load_extension(False)

    def authorizer(action: int, arg1: Any, arg2: Any, dbname: Any, source: Any) -> int:
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and arg1 in ("query_only", "writable_schema"):
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_FUNCTION and arg2 == "load_extension":
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorizer)
    conn.row_factory = sqlite3.Row
    return conn


def inert(item: AnnouncementItem) -> None:
    """Remove control and invisible formatting characters from the item's text (crawler.sanitize)."""
    item.body = clean_text(item.body)
    item.tags = [clean_line(t) for t in item.tags]
    for name in CLEANED_FIELDS:  # the one-line fields
        if name not in ("body", "tags") and (value := getattr(item, name)) is not None:
            setattr(item, name, clean_line(value))


def signature_scheme(conn: sqlite3.Connection, path: Path) -> int:
    """How the dataset's MinHash signatures are computed (crawler.fingerprint): a dataset keeps the
    scheme it has, since signatures of two schemes never compare."""
    row = conn.execute("SELECT value FROM dataset_settings WHERE key = 'signature_scheme'").fetchone()
    scheme = int(row[0]) if row and str(row[0]).isdigit() else 0
    if scheme not in fingerprint.SCHEMES:
        raise StoreError(f"dataset {path}: its signatures use scheme {row[0] if row else None!r}, which this"
                         " version of clusterwatch does not know; use the version that made it")
    return scheme


def _best(sig: fingerprint.Signature, candidates: Iterable[tuple[int, fingerprint.Signature]]
          ) -> tuple[int, float] | None:
    """Of ``candidates`` (by ascending id), the first most similar one of at least NEAR_THRESHOLD."""
    best: tuple[int, float] | None = None
    for ann_id, other in candidates:
        sim = sig.similarity(other)
        if sim >= fingerprint.NEAR_THRESHOLD and (best is None or sim > best[1]):
            best = (ann_id, sim)
    return best


# Band keys per candidate query of a batch (SQLite allows 32,766 parameters).
_KEYS_PER_QUERY = 8000


def _rows_in(conn: sqlite3.Connection, query: str, values: list[Any]) -> Iterator[Any]:
    """The rows of ``query`` + " (?, ?, …)" over ``values``, _KEYS_PER_QUERY at a time, in order."""
    for start in range(0, len(values), _KEYS_PER_QUERY):
        chunk = values[start : start + _KEYS_PER_QUERY]
        yield from conn.execute(f"{query} ({','.join('?' * len(chunk))})", chunk)


def _by_row(keys: Any, mask: Any) -> dict[int, list[int]]:
    """The keys (a row per item) that ``mask`` marks, by row; rows with none left out."""
    import numpy as np

    out: dict[int, list[int]] = {}
    rows, cols = np.nonzero(mask)
    for n, key in zip(rows.tolist(), keys[rows, cols].tolist(), strict=True):
        out.setdefault(n, []).append(key)
    return out


class _PendingBands:
    """A bulk load's copy of ``lsh_pending``: the band keys it wrote there and not yet merged into
    ``lsh_buckets``, as sorted runs of (key, announcement) arrays for its batches' look-ups.

    Another connection may change the table between two batches: an item-by-item ingest merges
    it into lsh_buckets first (``Store._settle_pending``), another bulk load adds to it; so may
    the same connection between two batches. Each writer of the table leaves its token in
    ``lsh_pending_writer`` (a merge removes it); while the token is this load's own, the copy is
    right, else it is read again."""

    def __init__(self) -> None:
        import uuid

        self.load_id = uuid.uuid4().hex
        self.writes = 0
        self.token: str | None = None  # what this load last left in lsh_pending_writer
        self.loaded = False  # whether the copy was read from the table yet
        self.runs: list[tuple[Any, Any]] = []  # (keys, announcements), each run sorted by key
        self.size = 0

    def sync(self, conn: sqlite3.Connection) -> None:
        """In a batch's transaction: make the copy match the table. The token is read every time
        (a look-up by key): PRAGMA data_version would miss this connection's own changes, an
        ingest on the same Store between two batches or a second load on it."""
        row = conn.execute("SELECT token FROM lsh_pending_writer WHERE id = 1").fetchone()
        token = row[0] if row else None
        if self.loaded and token == self.token:
            return
        self.clear()
        keys, owners = _pending_rows(conn)
        if len(keys):
            self.add(keys, owners)
        self.token, self.loaded = token, True

    def add(self, keys: Any, owners: Any) -> None:
        import numpy as np

        order = np.argsort(keys, kind="stable")
        self.runs.append((keys[order], owners[order]))
        self.size += len(keys)
        # Runs merged while the last is as long as the one before: at most log2(size) of them.
        while len(self.runs) > 1 and len(self.runs[-1][0]) >= len(self.runs[-2][0]):
            (k2, o2), (k1, o1) = self.runs.pop(), self.runs.pop()
            k, o = np.concatenate((k1, k2)), np.concatenate((o1, o2))
            order = np.argsort(k, kind="stable")
            self.runs.append((k[order], o[order]))

    def drop(self, ann_id: int) -> None:
        """An announcement's keys deleted (its text replaced)."""
        if not any((o == ann_id).any() for _, o in self.runs):
            return
        kept = [(k[o != ann_id], o[o != ann_id]) for k, o in self.runs]
        self.runs = [run for run in kept if len(run[0])]
        self.size = sum(len(k) for k, _ in self.runs)

    def lookup(self, keys: Any) -> dict[int, list[int]]:
        """Announcements per key, of the (sorted, distinct) ``keys`` the copy holds."""
        import numpy as np

        out: dict[int, list[int]] = {}
        for run_keys, owners in self.runs:
            lo = np.searchsorted(run_keys, keys, side="left")
            hi = np.searchsorted(run_keys, keys, side="right")
            for n in np.nonzero(hi > lo)[0].tolist():
                out.setdefault(int(keys[n]), []).extend(owners[lo[n]:hi[n]].tolist())
        return out

    def clear(self) -> None:
        self.runs = []
        self.size = 0

    def merge(self, conn: sqlite3.Connection) -> None:
        """Move what waits into lsh_buckets (in the caller's transaction): the table and the copy empty."""
        _merge_pending(conn)
        self.clear()
        self.token = None

    def wrote(self, conn: sqlite3.Connection) -> None:
        """This load changed the table (in the batch's transaction): its token left there."""
        self.writes += 1
        self.token = f"{self.load_id}:{self.writes}"
        conn.execute("INSERT OR REPLACE INTO lsh_pending_writer (id, token) VALUES (1, ?)", (self.token,))


_PENDING_DTYPE = "<i8"  # lsh_pending.buckets: an announcement's band keys, 8-byte little-endian


def _pending_rows(conn: sqlite3.Connection) -> tuple[Any, Any]:
    """The band keys in ``lsh_pending`` and their announcements, as two arrays."""
    import numpy as np

    keys, owners = [], []
    for ann_id, blob in conn.execute("SELECT announcement_id, buckets FROM lsh_pending"):
        found = np.frombuffer(blob, dtype=_PENDING_DTYPE).astype(np.int64)
        keys.append(found)
        owners.append(np.full(len(found), ann_id, dtype=np.int64))
    if not keys:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(owners)


def _merge_pending(conn: sqlite3.Connection) -> None:
    """Move the band keys in ``lsh_pending`` into ``lsh_buckets``, in key order (in the caller's
    transaction)."""
    import numpy as np

    keys, owners = _pending_rows(conn)
    order = np.lexsort((owners, keys))
    conn.executemany("INSERT OR IGNORE INTO lsh_buckets (bucket, announcement_id) VALUES (?, ?)",
                     zip(keys[order].tolist(), owners[order].tolist(), strict=True))
    conn.execute("DELETE FROM lsh_pending")
    conn.execute("DELETE FROM lsh_pending_writer")


# A signature stored with the band keys its announcement has in lsh_buckets (and lsh_pending):
# added to those it had (a promoted copy's keys join its original's), or the first ones. SQLite's
# || gives text, its bytes those of the two blobs (a dataset is UTF-8): cast back, unchanged.
_SIGNATURE_UPSERT = ("INSERT INTO signatures (announcement_id, signature, buckets) VALUES (?, ?, ?)"
                     " ON CONFLICT (announcement_id) DO UPDATE SET signature = excluded.signature,"
                     " buckets = CAST(coalesce(signatures.buckets, x'') || excluded.buckets AS BLOB)")


def _keys_blob(keys: Iterable[int]) -> bytes:
    """Band keys as ``signatures.buckets`` and ``lsh_pending.buckets`` hold them."""
    found = tuple(keys)
    return struct.pack(f"<{len(found)}q", *found)


def _drop_band_keys(conn: sqlite3.Connection, ann_id: int) -> None:
    """Delete an announcement's rows of lsh_buckets, by the keys its signature row lists (migration
    0013): a look-up per key instead of reading the whole table (0.33 s at 300,000 announcements).
    A row without that list (none after the migration) is deleted the old way."""
    row = conn.execute("SELECT buckets FROM signatures WHERE announcement_id = ?", (ann_id,)).fetchone()
    if row is None:
        return  # no signature, so no band keys: they are only ever written with one
    if row[0] is None:
        conn.execute("DELETE FROM lsh_buckets WHERE announcement_id = ?", (ann_id,))
        return
    blob = row[0]
    conn.executemany("DELETE FROM lsh_buckets WHERE bucket = ? AND announcement_id = ?",
                     ((key, ann_id) for key in struct.unpack(f"<{len(blob) // 8}q", blob)))


class _BatchIndex:
    """A bulk batch's near-duplicate index: what ``signatures`` and ``lsh_buckets`` hold, as
    ``Store._nearest`` and ``Store._index`` would find and leave them item after item.

    - The band keys of the whole batch are looked up among the rows from before the batch in a
      query per 8,000 keys, sorted (the index read in order), instead of a query per item.
    - An item's key can find a row the batch wrote only if an earlier item of the batch has the
      same key (an item's keys are written under its own or an earlier announcement, after its
      own search). Which keys those are is worked out for the whole batch at once (numpy), so
      an item none of whose keys was seen before, the usual case, is answered without a look.
    - What the batch indexes is written at its end, still in its transaction, the band keys
      sorted: the tables end as item-by-item ingest leaves them.
    """

    def __init__(self, conn: sqlite3.Connection, pending: _PendingBands, sigs: list[fingerprint.Signature],
                 keys: Any = None, urls: Iterable[str] = (), digests: Iterable[str | None] = ()):
        """``pending``: the load's band keys not merged yet (in sync with the table); ``keys``:
        the signatures' band keys as an array (a row each), when at hand; ``urls`` and
        ``digests``: the batch's items' addresses and text hashes."""
        import numpy as np

        self.conn = conn
        self.pending = pending
        # Of the batch's addresses, those with a sighting before the batch, and of its text hashes
        # those an announcement had, looked up at once; ingest_prepared adds each item's address
        # and hash as it goes. A sighting is never removed and only an item's own hash is ever
        # given to an announcement, so an address or hash in neither set cannot be found in the
        # tables: the item's look-up by address or hash is left out (most items, new ones), a
        # look-up for one in them is made as before.
        self.urls: set[str] = {u for (u,) in _rows_in(conn, "SELECT DISTINCT url FROM sightings WHERE url IN",
                                                       sorted(set(urls)))}
        self.hashes: set[str] = {h for (h,) in _rows_in(
            conn, "SELECT DISTINCT text_hash FROM announcements WHERE text_hash IN",
            sorted({d for d in digests if d is not None}))}
        self.row = {id(sig): n for n, sig in enumerate(sigs)}
        if keys is None:
            keys = np.array([sig.band_keys() for sig in sigs], dtype=np.int64)
        self.keys = np.asarray(keys, dtype=np.int64).reshape(len(sigs), fingerprint.BANDS)
        flat = self.keys.ravel()
        unique, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
        # Before the batch: announcements per band key, and their signatures (decoded when asked).
        self.before: dict[int, list[int]] = {}
        for key, ann_id in _rows_in(conn, "SELECT bucket, announcement_id FROM lsh_buckets WHERE bucket IN",
                                    unique.tolist()):
            self.before.setdefault(key, []).append(ann_id)
        for key, owners in pending.lookup(unique).items():
            self.before.setdefault(key, []).extend(owners)
        self.blobs: dict[int, bytes] = dict(_rows_in(
            conn, "SELECT announcement_id, signature FROM signatures WHERE announcement_id IN",
            sorted({a for found in self.before.values() for a in found})))
        width = fingerprint.BANDS
        item = np.arange(flat.size) // width
        # A key an earlier item has (its first item is another), or one from before the batch:
        # the only keys a search can find anything under.
        first_item = (first // width)[inverse.ravel()]
        found = (first_item < item).reshape(self.keys.shape)
        if self.before:
            found |= np.isin(self.keys, np.fromiter(self.before, dtype=np.int64, count=len(self.before)))
        self.searched = _by_row(self.keys, found)
        # A key another item has: the only keys under which a search can find what the batch indexes.
        self.shared = _by_row(self.keys, (np.bincount(inverse.ravel(), minlength=unique.size) > 1)[inverse.ravel()]
                              .reshape(self.keys.shape))
        self.decoded: dict[int, fingerprint.Signature] = {}
        self.dropped: set[int] = set()  # their rows from before the batch deleted (a replaced text)
        self.added: dict[int, set[int]] = {}  # band key -> announcements indexed under it in this batch
        self.written: dict[int, fingerprint.Signature | None] = {}  # signatures written (None: deleted)
        self.rows_of: dict[int, list[int]] = {}  # announcement -> the batch rows whose keys it gets

    def index(self, ann_id: int, sig: fingerprint.Signature | None, *, replace: bool) -> None:
        """``Store._index`` within the batch."""
        if replace:
            # The rows from before the batch go now; the batch's own are not written yet.
            _drop_band_keys(self.conn, ann_id)
            self.conn.execute("DELETE FROM signatures WHERE announcement_id = ?", (ann_id,))
            if self.pending.size and self.conn.execute("DELETE FROM lsh_pending WHERE announcement_id = ?",
                                                       (ann_id,)).rowcount:
                self.pending.drop(ann_id)
                self.pending.wrote(self.conn)
            self.dropped.add(ann_id)
            for n in self.rows_of.pop(ann_id, ()):
                for key in self.shared.get(n, ()):
                    self.added[key].discard(ann_id)
            self.written[ann_id] = None
        if sig is None:
            return
        n = self.row[id(sig)]
        self.written[ann_id] = sig
        self.rows_of.setdefault(ann_id, []).append(n)
        for key in self.shared.get(n, ()):
            self.added.setdefault(key, set()).add(ann_id)

    def candidates(self, sig: fingerprint.Signature) -> Iterator[tuple[int, fingerprint.Signature]]:
        """The announcements sharing a band key with ``sig`` that have a signature, by ascending id."""
        found: set[int] = set()
        for key in self.searched.get(self.row[id(sig)], ()):
            before = self.before.get(key)
            if before:
                found.update(a for a in before if a not in self.dropped)
            added = self.added.get(key)
            if added:
                found.update(added)
        for ann_id in sorted(found):
            other = self.written[ann_id] if ann_id in self.written else self._stored(ann_id)
            if other is not None:
                yield ann_id, other

    def _stored(self, ann_id: int) -> fingerprint.Signature | None:
        """The signature an announcement had before the batch."""
        sig = self.decoded.get(ann_id)
        if sig is None and ann_id in self.blobs:
            sig = self.decoded[ann_id] = fingerprint.Signature.from_bytes(self.blobs[ann_id])
        return sig

    def flush(self) -> None:
        """Write what the batch indexed (still in its transaction)."""
        import numpy as np

        # With the keys each indexed in this batch, in order (added to those from before the batch).
        self.conn.executemany(_SIGNATURE_UPSERT, [
            (ann_id, sig.to_bytes(), self.keys[self.rows_of[ann_id]].astype(_PENDING_DTYPE).tobytes())
            for ann_id, sig in sorted(self.written.items()) if sig is not None])
        pairs = [(ann_id, n) for ann_id, rows in self.rows_of.items() for n in rows]
        if not pairs:
            return
        owners, rows = np.array(pairs, dtype=np.int64).T
        # Into lsh_pending, a row of keys per announcement and item (appended: 2,000 rows a batch).
        blobs = (self.keys[n].astype(_PENDING_DTYPE).tobytes() for n in rows.tolist())
        self.conn.executemany("INSERT INTO lsh_pending (announcement_id, buckets) VALUES (?, ?)",
                              zip(owners.tolist(), blobs, strict=True))
        self.pending.add(self.keys[rows].ravel(), np.repeat(owners, self.keys.shape[1]))
        self.pending.wrote(self.conn)
        if self.pending.size >= BULK_PENDING_BANDS:
            self.pending.merge(self.conn)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a bulk batch's preparation or writing (not while
    the caller has the results): a batch makes thousands of objects that live until its end, and
    the collector, counting them, scanned them (and the caller's items) again and again. What
    the batch leaves in cycles is collected after it as usual."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Checkpoints:
    """A bulk load's WAL checkpoints, in a thread with a connection of its own, while the load
    writes its next batch: the load's connection does none (``wal_autocheckpoint`` 0 until
    ``close``). Each batch's commit made the WAL larger than SQLite's threshold (1,000 pages), so
    each commit copied the batch into the dataset and synced it, in the loading process's path:
    0.014 ms of CPU per item and twice that in waiting for the disk. A checkpoint copies only
    committed transactions and never stops the writer (WAL), so a killed load is as safe as
    before; the last batch stays in the WAL until the next commit's checkpoint, as a small
    transaction's would."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.before = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        self.path = path
        self.wanted = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="bulk-checkpoints", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        try:
            while True:
                self.wanted.wait()
                self.wanted.clear()
                if self.stopping:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:  # the next one (or the next commit's) does it
                    pass
        finally:
            conn.close()

    def request(self) -> None:
        """A checkpoint of what was committed so far."""
        self.wanted.set()

    def close(self) -> None:
        self.stopping = True
        self.wanted.set()
        self.thread.join()
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {self.before}")


class _Pending:
    """A batch the preparing process prepares, put back together when taken (``unpack_prepared``)."""

    def __init__(self, pool: Any, items: list[AnnouncementItem], scheme: int):
        pool.submit([item_fields(item) for item in items], scheme)
        self.pool, self.items, self.scheme = pool, items, scheme

    def result(self) -> tuple[list[Prepared | BadItem], Any]:
        return unpack_prepared(self.items, self.pool.result(), self.scheme)


class Store:
    def __init__(self, path: str | Path, *, aggregators: Iterable[str] = ()):
        self.path = Path(path)
        # Sources that republish others' announcements: on a tie their copy never becomes the own one.
        self.aggregators = frozenset(aggregators)
        self.db = connect(self.path)
        self.conn = self.db.conn
        self.signature_scheme = signature_scheme(self.conn, self.path)
        # During a bulk load's batch: its view of the near-duplicate index (see _BatchIndex).
        self._batch: _BatchIndex | None = None
        # During a bulk load: the full-text settings read (see _fts_settings), with the data_version
        # they were read at.
        self._fts_read: tuple[int, tuple[dict[str, str], dict[str, Any]] | None] | None = None

    def close(self) -> None:
        self.conn.close()

    # --- ingest -----------------------------------------------------------------------------

    def ingest(self, item: AnnouncementItem) -> IngestResult:
        prepared = self.prepare(item)
        with immediate(self.conn):
            return self.ingest_prepared(prepared)

    def prepare(self, item: AnnouncementItem) -> Prepared:
        """What ingest needs of an item that reads no dataset: its canonical address, words and hash."""
        return prepare_item(item, self.signature_scheme)

    def prepare_many(self, items: Iterable[AnnouncementItem]) -> list[Prepared | BadItem]:
        """Many items prepared at once, their signatures computed together (``fingerprint.signatures``);
        an item that cannot be stored is its BadItem, in its place."""
        return prepare_items(list(items), self.signature_scheme)

    def ingest_prepared(self, p: Prepared) -> IngestResult:
        """Match and store a prepared item; runs inside the caller's transaction (``immediate``)."""
        url, item, digest = p.url, p.item, p.digest
        seen = now_iso()
        batch = self._batch
        if batch is not None:
            # Whatever this item's path, its address gets a sighting and its hash (if any) may
            # become an announcement's: seen by the batch's later items (see _BatchIndex.urls).
            url_known, hash_known = url in batch.urls, digest in batch.hashes
            batch.urls.add(url)
            if digest:
                batch.hashes.add(digest)
        else:
            url_known = hash_known = True
        row = self.conn.execute(
            "SELECT a.id, a.url, a.source, a.text_kind, a.published, a.title, a.body, a.text_hash,"
            " a.revision FROM sightings s "
            "JOIN announcements a ON a.id = s.announcement_id WHERE s.url = ? LIMIT 1",
            (url,),
        ).fetchone() if url_known else None
        if row:
            return self._seen_again(row, p, seen)
        if digest and hash_known:
            row = self.conn.execute(
                "SELECT id FROM announcements WHERE text_hash = ? LIMIT 1", (digest,)
            ).fetchone()
            if row:
                self._sighting(row[0], url, item, "text", 1.0, seen)
                self._promote_if_earlier(row[0], url, item, digest, None)
                return IngestResult("duplicate", row[0], "text", 1.0)
        sig = p.signature()
        if sig is not None:
            best = self._nearest(sig)
            if best is not None:
                ann_id, sim = best
                self._sighting(ann_id, url, item, "near", sim, seen)
                self._promote_if_earlier(ann_id, url, item, digest, sig)
                return IngestResult("duplicate", ann_id, "near", sim)
        ann_id = self._insert(url, item, digest, seen)
        self._index(ann_id, sig)
        self._sighting(ann_id, url, item, "origin", None, seen)
        return IngestResult("new", ann_id, "origin")

    def ingest_many(self, items: Iterable[AnnouncementItem], *, batch_size: int = BULK_BATCH
                    ) -> Iterator[IngestResult | BadItem]:
        """Store many items, ``batch_size`` per transaction; yields each item's result (or its
        BadItem) in order.

        The same matching as ``ingest``, item after item, so an item sees every item before it
        (also in its own batch): the result is the one ingest gives on the same sequence. What
        changes is the cost:
        - one commit per batch instead of per item;
        - the full-text indexes take the batch's new texts in one statement each at the end of
          the batch (their insert trigger is set aside for the batch, in its transaction), not
          one text at a time through the trigger, which cost three times as much;
        - the batch's near-duplicate candidates are read in one query (``_BatchIndex``), and what
          it indexes is written at its end; its addresses and text hashes are looked up at once,
          and an item whose address or hash cannot be found skips that look-up of its own;
        - the batches after the first are prepared (words, hashes, signatures, band keys) in
          another process, up to BULK_AHEAD ahead, while this one writes, on the machine's other
          core (the items are read that far ahead of their results);
        - the connection's page cache is BULK_CACHE_KIB during the load (put back after it), its
          WAL checkpoints are made by a thread of their own, and the garbage collector is paused
          while a batch is prepared or written.
        A process killed during a load loses the batch it was writing, indexes and triggers
        included (one transaction), never part of an announcement.
        """
        first = min(batch_size, BULK_FIRST_BATCH)

        def batches() -> Iterator[list[AnnouncementItem]]:
            size = first
            batch: list[AnnouncementItem] = []
            for item in items:
                batch.append(item)
                if len(batch) >= size:
                    yield batch
                    batch = []
                    size = min(batch_size, size + first)
            if batch:
                yield batch

        # The batches after the first go to another process (crawler.prepare_process), up to
        # BULK_AHEAD of them ahead of the one being written, before this one prepares the first
        # (small: about as long as the other's start, its imports): from then on the other
        # prepares while this one writes, and never waits for it. A load of one batch never
        # starts it.
        pool = None
        checkpoints: _Checkpoints | None = None
        cache = self._bulk_cache()
        self._fts_read = None
        pending = _PendingBands()
        try:
            stream = batches()
            batch = next(stream, None)
            if batch is None:
                return
            in_flight: deque[_Pending] = deque()

            def submit() -> None:
                nonlocal pool
                while pool is None or not pool.finished and len(in_flight) < BULK_AHEAD:
                    following = next(stream, None)
                    if following is None:
                        if pool is not None:
                            pool.finish()  # its end overlaps the last batches' writing
                        return
                    if pool is None:
                        from crawler.prepare_process import PrepareProcess

                        pool = PrepareProcess()
                    in_flight.append(_Pending(pool, following, self.signature_scheme))

            submit()
            if pool is not None:
                checkpoints = _Checkpoints(self.conn, self.path)
            following: _Pending | None = None  # the batch to write, when the other process prepared it
            while True:
                # The garbage collector paused while a batch is prepared (or put back together) and
                # written, not while the caller has its results or the items are read.
                with _collector_paused():
                    ready, keys = following.result() if following is not None else (self.prepare_many(batch), None)
                    out = self._write_batch(ready, pending, keys)
                yield from out
                if not in_flight:
                    break
                if checkpoints is not None:
                    checkpoints.request()
                following = in_flight.popleft()
                submit()  # the next batch on its way before this one is waited for
            # The band keys left pending, merged once (a load that stops before this leaves them
            # to the next writer: ``_settle_pending``, or the next load).
            with immediate(self.conn):
                pending.merge(self.conn)
        finally:
            # each step even when one before it fails (an interrupt while the other process ends)
            with ExitStack() as cleanup:
                if cache is not None:
                    cleanup.callback(self.conn.execute, f"PRAGMA cache_size = {cache}")
                if checkpoints is not None:
                    cleanup.callback(checkpoints.close)
                if pool is not None:
                    cleanup.callback(pool.close)

    def _bulk_cache(self) -> int | None:
        """Give the connection a page cache of at least BULK_CACHE_KIB; the cache_size it had, or
        None when it had as much already."""
        before = int(self.conn.execute("PRAGMA cache_size").fetchone()[0])
        page = int(self.conn.execute("PRAGMA page_size").fetchone()[0])
        if (-before if before < 0 else before * page // 1024) >= BULK_CACHE_KIB:
            return None
        self.conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
        return before

    def _write_batch(self, prepared: list[Prepared | BadItem], pending: _PendingBands, keys: Any = None
                     ) -> list[IngestResult | BadItem]:
        """``pending``: the load's band keys not merged yet; ``keys``: the band keys of the
        batch's signatures, in order, as an array (or None)."""
        out: list[IngestResult | BadItem] = []
        with immediate(self.conn):
            restore = self._defer_fts()
            ready = [p for p in prepared if isinstance(p, Prepared)]
            pending.sync(self.conn)
            sigs = [sig for p in ready if (sig := p.signature()) is not None]
            self._batch = _BatchIndex(self.conn, pending, sigs, keys, [p.url for p in ready], [p.digest for p in ready])
            try:
                for p in prepared:
                    out.append(p if isinstance(p, BadItem) else self.ingest_prepared(p))
                self._batch.flush()
            finally:
                self._batch = None
            if restore is not None:
                restore()
        return out

    def _fts_settings(self) -> tuple[dict[str, str], dict[str, Any]] | None:
        """The full-text triggers (name -> SQL) and each index's 'hashsize' row as the dataset has
        them (None: no row, FTS5's default), read in a batch's transaction; None when the triggers
        are not the ones expected. Read once per load: again only when another connection
        committed since this one last read them (``PRAGMA data_version``; this connection's own
        batches put both back before their commits)."""
        version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        if self._fts_read is not None and self._fts_read[0] == version:
            return self._fts_read[1]
        found = dict(self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'announcements'"
            " AND name IN ('announcements_ai', 'announcements_au')").fetchall())
        settings: tuple[dict[str, str], dict[str, Any]] | None = None
        if (" ".join(found.get("announcements_ai", "").split()) == _FTS_INSERT_TRIGGER
                and " ".join(found.get("announcements_au", "").split()) == _FTS_UPDATE_TRIGGER):
            settings = found, {table: self.conn.execute(f"SELECT v FROM {table}_config WHERE k = 'hashsize'").fetchone()
                               for table in _FTS_TABLES}
        self._fts_read = (version, settings)
        return settings

    def _defer_fts(self) -> Any:
        """Inside a batch's transaction: set the full-text insert trigger aside, and let the update
        trigger act only on rows from before the batch. Returns what indexes the batch's new rows
        (with their final text) and puts the triggers back, in the same transaction; None when the
        triggers are not the ones expected (then they stay and do the work, slower)."""
        settings = self._fts_settings()
        if settings is None:
            return None
        found, hashsizes = settings
        last = int(self.conn.execute("SELECT coalesce(max(id), 0) FROM announcements").fetchone()[0])
        self.conn.execute("DROP TRIGGER announcements_ai")
        self.conn.execute("DROP TRIGGER announcements_au")
        # A row stored in this batch is not indexed yet: its new text is indexed at the end.
        self.conn.execute(
            "CREATE TRIGGER announcements_au AFTER UPDATE OF title, body ON announcements"
            f" WHEN old.id <= {last} AND ({_FTS_UPDATE_WHEN}) BEGIN {_FTS_UPDATE_BODY} END")

        def restore() -> None:
            for table in _FTS_TABLES:
                self.conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)", (BULK_FTS_HASHSIZE,))
                self.conn.execute(f"INSERT INTO {table} (rowid, title, body)"
                                  " SELECT id, title, body FROM announcements WHERE id > ?", (last,))
                # Put back through FTS5 (so that this connection's own setting follows), then, if the
                # dataset had no row, remove the one that leaves: the table as it was.
                before = hashsizes[table]
                self.conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)",
                                  (before[0] if before else _FTS5_DEFAULT_HASHSIZE,))
                if before is None:
                    self.conn.execute(f"DELETE FROM {table}_config WHERE k = 'hashsize'")
            self.conn.execute("DROP TRIGGER announcements_au")
            self.conn.execute(found["announcements_au"])
            self.conn.execute(found["announcements_ai"])

        return restore

    def _promote_if_earlier(self, ann_id: int, url: str, item: AnnouncementItem, digest: str | None,
                            sig: fingerprint.Signature | None) -> None:
        """Make an earlier-published copy the announcement's own address and text.

        Sources are crawled concurrently, so a republication may be stored before the original;
        the copy published first is the best guess at the original (``crawler.precedence``). The
        other stays a sighting.
        """
        stored, old_url, old_source = self.conn.execute(
            "SELECT published, url, source FROM announcements WHERE id = ?", (ann_id,)).fetchone()
        if not precedence.replaces(item.published, item.source in self.aggregators,
                                   stored, old_source in self.aggregators):
            return
        similarity = self.conn.execute("SELECT similarity FROM sightings WHERE announcement_id = ? AND url = ?",
                                       (ann_id, url)).fetchone()
        self.conn.execute("UPDATE sightings SET match = 'near', similarity = ? WHERE announcement_id = ?"
                          " AND url = ? AND match = 'origin'", (similarity[0] if similarity else None, ann_id, old_url))
        self.conn.execute("UPDATE sightings SET match = 'origin', similarity = NULL WHERE announcement_id = ?"
                          " AND url = ?", (ann_id, url))
        # The replaced text is kept, and the new one analysed: the original may say more than the copy.
        self.conn.execute(
            "INSERT INTO revisions (announcement_id, revision, title, body, text_hash, replaced_at, archive,"
            " archive_timestamp, archive_url) SELECT id, revision, title, body, text_hash, ?, archive,"
            " archive_timestamp, archive_url FROM announcements WHERE id = ?", (now_iso(), ann_id))
        # The new text is live (NULL provenance) unless the backfill, which stored it, says otherwise.
        self.conn.execute(
            "UPDATE announcements SET url = ?, source = ?, title = coalesce(?, title), body = ?, text_kind = ?,"
            " text_hash = ?, published = ?, published_evidence = ?, published_reason = NULL, author = ?,"
            " revision = revision + 1, analysed_at = NULL, archive = NULL, archive_timestamp = NULL,"
            " archive_url = NULL, language = coalesce(?, language) WHERE id = ?",
            (url, item.source, item.title, item.body, item.text_kind, digest, item.published,
             item.published_evidence, item.author, item.language, ann_id),
        )
        # Additive: the copy's band keys stay, so later copies of it still find this announcement.
        self._index(ann_id, sig)

    def _index(self, ann_id: int, sig: fingerprint.Signature | None, *, replace: bool = False) -> None:
        """Store the signature and its LSH band keys (``replace``: drop the old text's keys first)."""
        if self._batch is not None:
            self._batch.index(ann_id, sig, replace=replace)
            return
        self._settle_pending()
        if replace:
            _drop_band_keys(self.conn, ann_id)
            self.conn.execute("DELETE FROM signatures WHERE announcement_id = ?", (ann_id,))
        if sig is None:
            return
        keys = sig.band_keys()
        self.conn.execute(_SIGNATURE_UPSERT, (ann_id, sig.to_bytes(), _keys_blob(keys)))
        self.conn.executemany("INSERT OR IGNORE INTO lsh_buckets(bucket, announcement_id) VALUES (?, ?)",
                              [(key, ann_id) for key in keys])

    def _nearest(self, sig: fingerprint.Signature) -> tuple[int, float] | None:
        """The most similar stored announcement of at least NEAR_THRESHOLD among those sharing a
        band key with ``sig``; of equally similar ones the oldest (lowest id)."""
        if self._batch is not None:
            return _best(sig, self._batch.candidates(sig))
        self._settle_pending()
        keys = sig.band_keys()
        placeholders = ",".join("?" * len(keys))
        rows = self.conn.execute(
            f"SELECT s.announcement_id, s.signature FROM signatures s WHERE s.announcement_id IN "
            f"(SELECT DISTINCT announcement_id FROM lsh_buckets WHERE bucket IN ({placeholders}))"
            " ORDER BY s.announcement_id",
            keys,
        ).fetchall()
        return _best(sig, ((ann_id, fingerprint.Signature.from_bytes(blob)) for ann_id, blob in rows))

    def _settle_pending(self) -> None:
        """Outside a bulk load, before the band keys are read or written: merge what a bulk load
        left in ``lsh_pending`` (one still running, between its batches, or one that was killed)."""
        if self.conn.execute("SELECT 1 FROM lsh_pending LIMIT 1").fetchone():
            _merge_pending(self.conn)

    def _insert(self, url: str, item: AnnouncementItem, digest: str | None, seen: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO announcements (url, title, published, published_evidence, published_reason,"
            " source, body, text_kind, author, descriptor, tags, text_hash, first_seen, last_seen, language)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                url, item.title, item.published, item.published_evidence,
                None if item.published else (item.published_reason or "no date found"),
                item.source, item.body, item.text_kind, item.author, item.descriptor,
                json.dumps(item.tags, ensure_ascii=False) if item.tags else None,
                digest, seen, seen, item.language,
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def _seen_again(self, row: sqlite3.Row | tuple, prepared: Prepared, seen: str) -> IngestResult:
        url, item, digest = prepared.url, prepared.item, prepared.digest
        ann_id, own_url, own_source, old_kind, old_published, old_title, old_body, old_hash, old_revision = row
        self._sighting(ann_id, url, item, "url" if url != own_url else "origin", None, seen)
        if old_published is None and item.published:
            self.conn.execute(
                "UPDATE announcements SET published = ?, published_evidence = ?, published_reason = NULL"
                " WHERE id = ?",
                (item.published, item.published_evidence, ann_id),
            )
        # Only the announcement's own address, read by its own source, may revise its text: an
        # aggregator editing its copy is not the ministry editing its release, and the feed's and
        # the listing's extraction of one page differ without the page having changed. A summary
        # never replaces a full text.
        changed = (
            url == own_url
            and item.source == own_source
            and item.body
            and TEXT_KINDS.index(item.text_kind) >= TEXT_KINDS.index(old_kind)
            # Compared as normalised words: text_hash is NULL for short texts. The same text has the
            # same words, the usual case of a re-crawl, found without normalising either.
            and item.body != old_body
            and prepared.normalised_body() != fingerprint.normalise_text(old_body)
        )
        if not changed:
            self.conn.execute("UPDATE announcements SET last_seen = ? WHERE id = ?", (seen, ann_id))
            return IngestResult("unchanged", ann_id, "url")
        self.conn.execute(
            "INSERT INTO revisions (announcement_id, revision, title, body, text_hash, replaced_at, archive,"
            " archive_timestamp, archive_url) SELECT ?,?,?,?,?,?, archive, archive_timestamp, archive_url"
            " FROM announcements WHERE id = ?",
            (ann_id, old_revision, old_title, old_body, old_hash, seen, ann_id),
        )
        # The new text is live (NULL provenance) unless the backfill, which stored it, says otherwise.
        self.conn.execute(
            "UPDATE announcements SET title = ?, body = ?, text_kind = ?, text_hash = ?,"
            " revision = revision + 1, last_seen = ?, analysed_at = NULL, archive = NULL,"
            " archive_timestamp = NULL, archive_url = NULL, language = coalesce(?, language) WHERE id = ?",
            (item.title or old_title, item.body, item.text_kind, digest, seen, item.language, ann_id),
        )
        self._index(ann_id, prepared.signature(), replace=True)
        return IngestResult("updated", ann_id, "url")

    def _sighting(
        self, ann_id: int, url: str, item: AnnouncementItem, match: str, sim: float | None, seen: str
    ) -> None:
        self.conn.execute(
            "INSERT INTO sightings (announcement_id, url, source, match, similarity, published,"
            " first_seen, last_seen, title) VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(url, source) DO UPDATE SET last_seen = excluded.last_seen,"
            " title = coalesce(excluded.title, title)",
            (ann_id, url, item.source, match, sim, item.published, seen, seen, item.title),
        )

    # --- what the spiders ask ---------------------------------------------------------------

    def known_url(self, url: str, source: str | None = None) -> bool:
        """Whether the address was seen before (by ``source``, when given).

        Incremental crawling asks per source: an article the feed stored is still unknown to the
        listing, whose first crawl must page through the whole archive.
        """
        try:
            canon = canonical_url(url)
        except URLError:
            return False
        if source is None:
            row = self.conn.execute("SELECT 1 FROM sightings WHERE url = ? LIMIT 1", (canon,)).fetchone()
        else:
            row = self.conn.execute("SELECT 1 FROM sightings WHERE url = ? AND source = ? LIMIT 1",
                                    (canon, source)).fetchone()
        return row is not None

    def has_full_text(self, url: str) -> bool:
        try:
            canon = canonical_url(url)
        except URLError:
            return False
        row = self.conn.execute(
            "SELECT 1 FROM sightings s JOIN announcements a ON a.id = s.announcement_id"
            " WHERE s.url = ? AND a.text_kind = 'full' LIMIT 1",
            (canon,),
        ).fetchone()
        return row is not None

    def backfill_complete(self, source: str) -> bool:
        row = self.conn.execute("SELECT backfill_complete FROM source_state WHERE source = ?", (source,)).fetchone()
        return bool(row and row[0])

    def mark_backfill_complete(self, source: str) -> None:
        self.conn.execute(
            "INSERT INTO source_state(source, backfill_complete, updated) VALUES (?, 1, ?)"
            " ON CONFLICT(source) DO UPDATE SET backfill_complete = 1, updated = excluded.updated",
            (source, now_iso()))

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.conn.execute(
            "SELECT etag, last_modified FROM http_validators WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.conn.execute(
            "INSERT INTO http_validators(url, etag, last_modified, updated) VALUES (?,?,?,?)"
            " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, updated = excluded.updated",
            (url, etag, last_modified, now_iso()),
        )

    # --- crawl runs -------------------------------------------------------------------------

    def start_run(self, source: str, batch: str | None = None) -> int:
        # A source never runs twice at once, so a run still 'running' belongs to a process that died.
        self.conn.execute(
            "UPDATE crawl_runs SET status = 'failed', errors = errors + 1, finished = ?,"
            " error_messages = json_insert(error_messages, '$[#]', 'interrupted: the crawl process ended without"
            " finishing') WHERE source = ? AND status = 'running'", (now_iso(), source))
        cur = self.conn.execute(
            "INSERT INTO crawl_runs(batch, source, started) VALUES (?,?,?)", (batch, source, now_iso())
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_run(self, run_id: int, stats: dict[str, Any], messages: list[str], status: str) -> None:
        self.conn.execute(
            f"UPDATE crawl_runs SET finished = ?, status = ?, error_messages = ?,"
            f" {', '.join(f'{c} = ?' for c in RUN_COUNTS)} WHERE id = ?",
            (now_iso(), status, json.dumps(messages[:100], ensure_ascii=False),
             *(int(stats.get(c, 0)) for c in RUN_COUNTS), run_id),
        )

    def runs(self, batch: str) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT * FROM crawl_runs WHERE batch = ? ORDER BY id", (batch,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def recent_runs(self, source: str, limit: int = 5) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT * FROM crawl_runs WHERE source = ? AND status != 'running' ORDER BY id DESC LIMIT ?",
            (source, limit),
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def rows(conn: sqlite3.Connection, sql: str, params: tuple | list = ()) -> Iterator[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description or ()]
    for r in cur:
        yield dict(zip(names, r, strict=True))
