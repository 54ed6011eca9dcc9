"""Locks beside the dataset that say who holds them: one service per dataset, one crawl per source.

An flock is released by the kernel when its process dies, so a killed service or crawl never
leaves a stale lock behind; the holder writes its process id into the file so that whoever is
refused can say which process to look at.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockHeld(Exception):
    def __init__(self, path: Path, pid: str):
        super().__init__(f"{path} is held by process {pid}")
        self.path = path
        self.pid = pid


def service_lock_path(database: Path) -> Path:
    return Path(f"{database}.service.lock")


def crawl_lock_path(database: Path, source: str) -> Path:
    return Path(f"{database}.crawl-{source}.lock")


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Hold the lock at ``path`` without waiting; raises LockHeld naming the holder's process id."""
    handle = open(path, "a+")  # noqa: SIM115  # held until the finally below
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise LockHeld(path, handle.read().strip() or "unknown") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
