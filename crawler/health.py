"""Source health from the recent crawl runs: what `clusterwatch sources` shows and what the
admin is told about."""

from __future__ import annotations

from typing import Any

FAILURES_FOR_BROKEN = 3


def source_health(runs: list[dict[str, Any]]) -> tuple[str, str]:
    """(state, reason) from the runs of one source, newest first.

    States: "never run", "ok", "failing" (the last run failed), "broken" (failed several runs in a
    row, or a listing that had items suddenly yields none).
    """
    # An interrupted run (Ctrl-C, the service stopping) says nothing about the source.
    runs = [r for r in runs if r["status"] != "interrupted"]
    if not runs:
        return "never run", "no crawl yet"
    last = runs[0]
    failed = 0
    for run in runs:
        if run["status"] != "failed":
            break
        failed += 1
    if failed >= FAILURES_FOR_BROKEN:
        return "broken", f"failed {failed} runs in a row: {_first_message(last)}"
    if last["status"] == "failed":
        return "failing", _first_message(last)
    if last["items"] == 0 and not last["not_modified"]:
        earlier = [r for r in runs[1:] if r["status"] != "failed" and not r["not_modified"]]
        if earlier and earlier[0]["items"] > 0:
            return "broken", f"yields no items where it had {earlier[0]['items']} before"
    if last["status"] == "incomplete":
        return "ok", "last run deferred work to the next"
    if last["status"] == "partial":
        return "ok", f"last run had errors: {_first_message(last)}"
    return "ok", ""


def _first_message(run: dict[str, Any]) -> str:
    import json

    messages = [m for m in json.loads(run.get("error_messages") or "[]") if not m.startswith("warning:")]
    return messages[0] if messages else run["status"]
