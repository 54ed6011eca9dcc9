"""Lock files beside the dataset and in the Maildir: one service per dataset, one crawl per source,
one migration and one delivery at a time.

Lock files are opened without following symbolic links: they live in folders other users may
write to (a shared data folder, a Maildir), and a link planted at a lock's name must not make
clusterwatch create or append to its target. An flock is released by the kernel when its process
dies, so a killed service or crawl never leaves a stale lock behind; the holder writes its process
id into the file so that whoever is refused can say which process to look at.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class LockError(OSError):
    """A lock file that cannot be used; the message names it and what to do."""


class LockHeld(Exception):
    def __init__(self, path: Path, pid: str):
        super().__init__(f"{path} is held by process {pid}")
        self.path = path
        self.pid = pid


def open_lock(path: str | Path) -> IO[bytes]:
    """Open (creating it if needed) the regular file ``path`` for use with fcntl.flock."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockError(exc.errno, f"lock file {path} is a symbolic link; not followed (remove it)") from None
        raise LockError(exc.errno, f"cannot open lock file {path}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or device planted at the name
        os.close(fd)
        raise LockError(errno.EINVAL, f"lock file {path} is not a regular file (remove it)")
    return os.fdopen(fd, "r+b")


def service_lock_path(database: Path) -> Path:
    return Path(f"{database}.service.lock")


def crawl_lock_path(database: Path, source: str) -> Path:
    return Path(f"{database}.crawl-{source}.lock")


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Hold the lock at ``path`` without waiting; raises LockHeld naming the holder's process id."""
    handle = open_lock(path)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise LockHeld(path, handle.read().decode("ascii", "replace").strip() or "unknown") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()).encode("ascii"))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
