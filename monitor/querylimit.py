"""A time limit and a Ctrl-C for the analyst's queries (`query`, `search`, `export`).

SQLite runs a statement in C: an endless recursive CTE never returns to Python, so neither a
timer nor Python's KeyboardInterrupt can stop it. SQLite's progress handler is called every few
thousand virtual-machine steps; returning non-zero from it aborts the statement ("interrupted").
Ctrl-C only sets a flag that the handler (and the row loop) sees, so the first Ctrl-C stops
the query, with one line, and the connection is left in a clean state.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from crawler.store import StoreError, sqlite_code

DEFAULT_TIMEOUT = 30.0
_STEPS = 20_000  # VM instructions between two checks: microseconds, and cheap


timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS",
    help="Stop reading the dataset after this long (0: no limit).")


class QueryStopped(StoreError):
    """A query ran out of time or was interrupted; the message says which and what to do."""


class Limit:
    def __init__(self, seconds: float | None, what: str):
        self.seconds = seconds
        self.what = what
        self.deadline = time.monotonic() + seconds if seconds else None
        self.interrupted = False

    def expired(self) -> bool:
        return self.interrupted or (self.deadline is not None and time.monotonic() > self.deadline)

    def stopped(self) -> QueryStopped:
        if self.interrupted:
            return QueryStopped(f"{self.what} interrupted (Ctrl-C); the dataset was not changed")
        return QueryStopped(f"{self.what} stopped after its time limit of {self.seconds:g} s"
                            " (--timeout SECONDS to change it, 0 for none)")

    def rows(self, rows: Iterable[Any]) -> Iterator[Any]:
        """The rows, stopping between two of them too (writing them out runs no SQLite steps)."""
        for row in rows:
            if self.expired():
                raise self.stopped()
            yield row


@contextmanager
def query_limit(conn: sqlite3.Connection, seconds: float | None, what: str = "query") -> Iterator[Limit]:
    """Run the block's statements on ``conn`` with a time limit (None or 0: none) and Ctrl-C."""
    limit = Limit(seconds, what)
    conn.set_progress_handler(lambda: 1 if limit.expired() else 0, _STEPS)
    previous: Any = None
    if threading.current_thread() is threading.main_thread():
        def on_sigint(signum: int, frame: Any) -> None:
            limit.interrupted = True

        previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield limit
    except sqlite3.OperationalError as exc:
        if sqlite_code(exc) == sqlite3.SQLITE_INTERRUPT and limit.expired():
            raise limit.stopped() from None
        raise
    except MemoryError:
        raise QueryStopped(f"{what} ran out of memory; select fewer rows or columns") from None
    finally:
        conn.set_progress_handler(None, 0)
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
