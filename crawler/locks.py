"""Lock files beside the dataset and in the Maildir, opened without following symbolic links.

The lock files live in folders other users may write to (a shared data folder, a Maildir). Opened
with ``open(path, "a")``, a symbolic link planted at the lock's name would be followed, and its
target created or appended to with the rights of whoever runs clusterwatch.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import IO


class LockError(OSError):
    """A lock file that cannot be used; the message names it and what to do."""


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
