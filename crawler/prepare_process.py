"""A second process that prepares a bulk load's next batch while the first one writes.

``Store.ingest_many`` hands each batch after the first to this process (words, hashes,
signatures, band keys: ``crawler.store.prepare_items``) and writes the batch before it in the
meantime, so the two run on two cores. It is a plain child (``python -m crawler.prepare_process``)
reading pickled requests on stdin and answering on stdout, one at a time: not ``multiprocessing``,
whose spawned children run the parent's main script again (a script without a ``__main__`` guard
would start its load once more in the child).

Both sides are this package, on this machine: the pickles never cross a trust boundary.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, BinaryIO

from crawler.errors import ClusterwatchError

_HEADER = struct.Struct("<Q")


class PrepareFailed(ClusterwatchError):
    pass


def send(stream: BinaryIO, value: Any) -> None:
    write(stream, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def write(stream: BinaryIO, data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - our own parent, see the module's docstring


class PrepareProcess:
    """The child, from the parent's side: ``submit`` a batch, later take its ``result``."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        # -P: without the current folder first on the path, where another checkout's crawler/
        # would be imported instead of this one (-m puts it there).
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "crawler.prepare_child"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env)
        self.waiting = False
        self.writer: threading.Thread | None = None

    def submit(self, items: list[Any], scheme: int) -> PrepareProcess:
        """Send a batch. The pipe holds 64 KiB and the other process reads a batch only once it
        is ready for it (at the start: after its imports), so a thread writes it and this one
        goes on meanwhile."""
        assert not self.waiting, "one batch at a time"
        stdin = self.proc.stdin
        assert stdin is not None
        data = pickle.dumps((items, scheme), protocol=pickle.HIGHEST_PROTOCOL)

        def deliver() -> None:
            try:
                write(stdin, data)  # type: ignore[arg-type]
            except (OSError, ValueError):  # the other process ended (result() says so), or close() came first
                pass

        self.writer = threading.Thread(target=deliver, name="prepare-submit", daemon=True)
        self.writer.start()
        self.waiting = True
        return self

    def result(self) -> Any:
        assert self.proc.stdout is not None
        if self.writer is not None:
            self.writer.join()
            self.writer = None
        self.waiting = False
        try:
            status, value = receive(self.proc.stdout)  # type: ignore[arg-type]
        except (EOFError, OSError, pickle.UnpicklingError):
            raise PrepareFailed(f"the bulk load's preparing process ended (exit status {self.proc.poll()})") from None
        if status == "error":
            raise value
        return value

    def finish(self) -> None:
        """No more batches: the other process ends (its end overlaps the last batch's writing)."""
        if self.writer is not None:
            self.writer.join()
            self.writer = None
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def close(self) -> None:
        if self.waiting and self.proc.poll() is None:
            self.proc.kill()  # a batch still pending: the load was given up, its preparation is not wanted
        self.finish()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
