"""The child side of crawler.prepare_process: prepares the batches its parent sends."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import numpy  # noqa: F401 - imported before freezing, as the batches need it

from crawler.prepare_process import receive, send
from crawler.store import prepare_fields


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # A batch makes thousands of lists and objects that live until its answer is sent; the
    # collector, counting them, ran about 200 times per 12,000 items (0.03 ms of CPU per item, a
    # tenth of the work). Off while a batch is prepared, and once after each: what the imports
    # made is frozen (never scanned again), so that pass looks at little.
    gc.freeze()
    gc.disable()
    while True:
        try:
            batch, scheme = receive(stdin)  # type: ignore[arg-type]
        except EOFError:  # the parent closed the pipe, or died
            return
        try:
            answer: tuple[str, Any] = ("ok", prepare_fields(batch, scheme))
        except Exception as exc:  # noqa: BLE001 - the parent raises it
            answer = ("error", exc)
        try:
            send(stdout, answer)  # type: ignore[arg-type]
        except (BrokenPipeError, OSError):
            return
        del batch, answer
        gc.collect()


if __name__ == "__main__":
    main()
    # Everything is sent: no interpreter teardown (tens of milliseconds with numpy loaded) that
    # the parent, waiting for the process to end, would wait for too.
    os._exit(0)
