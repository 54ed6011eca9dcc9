"""A second process that prepares a bulk load's batches while the loading process writes.

``Store.ingest_many`` hands each batch after the first to this process (cleaning, address,
words, hashes, signatures, band keys: ``crawler.store.prepare_fields``), up to two ahead of the
one it writes, so the two run on two cores. It is a plain child (``python -m crawler.prepare_child``)
reading pickled requests on stdin and answering on stdout, in order: not ``multiprocessing``,
whose spawned children run the parent's main script again (a script without a ``__main__`` guard
would start its load once more in the child).

Both sides are this package, on this machine: the pickles never cross a trust boundary.
"""

from __future__ import annotations

import os
import pickle
import queue
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


def read(stream: BinaryIO) -> bytes:
    """One message's bytes (EOFError: the pipe ended)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def receive(stream: BinaryIO) -> Any:
    return pickle.loads(read(stream))  # noqa: S301 - our own parent, see the module's docstring


class PrepareProcess:
    """The child, from the parent's side: ``submit`` batches, later take their ``result``s in
    the same order.

    Two threads move the bytes, so that neither process waits for the other at the pipe (it
    holds 64 KiB, a batch several MiB): one pickles and writes the batches submitted, in
    order, as the child reads them (the first after its imports); the other reads the answers as
    the child sends them, so that the child goes on to the next batch submitted while this process
    is still writing an earlier one. Pickling a batch (its texts, a few MiB) is the writing
    thread's: the calling thread spends most of its time in SQLite, which lets other threads run.
    Unpickling the answers (no texts) stays in the calling thread.
    """

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        # -P: without the current folder first on the path, where another checkout's crawler/
        # would be imported instead of this one (-m puts it there).
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "crawler.prepare_child"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env)
        self.outgoing: queue.SimpleQueue[tuple[list[Any], int] | None] = queue.SimpleQueue()
        self.answers: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.pending = 0  # batches submitted whose result was not taken
        self.finished = False
        self.threads = [threading.Thread(target=self._write, name="prepare-write", daemon=True),
                        threading.Thread(target=self._read, name="prepare-read", daemon=True)]
        for thread in self.threads:
            thread.start()

    def _write(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            while (batch := self.outgoing.get()) is not None:
                write(stdin, pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))  # type: ignore[arg-type]
        except (OSError, ValueError):  # the child ended: result() says so
            pass
        finally:
            try:
                stdin.close()  # no more batches: the child ends after answering the last one
            except OSError:
                pass

    def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        try:
            while True:
                self.answers.put(read(stdout))  # type: ignore[arg-type]
        except (EOFError, OSError, ValueError):
            pass
        finally:
            self.answers.put(None)  # whatever ended the reading, result() is never left waiting

    def submit(self, items: list[Any], scheme: int) -> None:
        assert not self.finished, "no batches after finish()"
        self.outgoing.put((items, scheme))
        self.pending += 1

    def result(self) -> Any:
        """The answer to the earliest batch whose result was not taken."""
        assert self.pending > 0, "no batch submitted"
        self.pending -= 1
        data = self.answers.get()
        try:
            if data is None:
                raise EOFError
            status, value = pickle.loads(data)  # noqa: S301 - our own child, see the module's docstring
        except (EOFError, pickle.UnpicklingError):
            self.answers.put(None)  # and for any later result
            raise PrepareFailed(f"the bulk load's preparing process ended (exit status {self.proc.poll()})") from None
        if status == "error":
            raise value
        return value

    def finish(self) -> None:
        """No more batches: the child ends after the last (its end overlaps the last batches' writing)."""
        if not self.finished:
            self.finished = True
            self.outgoing.put(None)

    def close(self) -> None:
        if self.pending and self.proc.poll() is None:
            self.proc.kill()  # batches still pending: the load was given up, their preparation is not wanted
        self.finish()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for thread in self.threads:  # the pipes' ends: the child is gone
            thread.join()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
