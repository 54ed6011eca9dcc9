"""The child side of crawler.prepare_process: prepares the batches its parent sends."""

from __future__ import annotations

import sys
from typing import Any

from crawler.prepare_process import receive, send
from crawler.store import prepare_fields


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
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


if __name__ == "__main__":
    main()
