"""Every feed file of feedparser's own test corpus goes through the ingestion path (parse, then
store) without an unhandled exception: each one yields stored announcements, per-entry reasons,
or a clear per-source error. Skips where ../shared/corpora is not beside this checkout."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from crawler.feeds import parse_feed
from crawler.store import BadItem, Store
from tests.conftest import shared_corpus

CORPUS = shared_corpus()
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".xml", ".json")) if CORPUS else []
# Grouped by top folder (wellformed, illformed, encoding, entities) so that one dataset serves
# many files and the test stays fast.
GROUPS = sorted({p.relative_to(CORPUS).parts[0] for p in FILES}) if CORPUS else []


@pytest.mark.skipif(CORPUS is None, reason="../shared/corpora/feedparser is not beside this checkout")
@pytest.mark.parametrize("group", GROUPS)
def test_corpus_feeds_pass_ingestion(group: str, tmp_path: Path) -> None:
    store = Store(tmp_path / "corpus.db")
    outcomes = {"stored": 0, "source_errors": 0, "entry_reasons": 0, "files": 0}
    try:
        for path in (p for p in FILES if p.relative_to(CORPUS).parts[0] == group):
            outcomes["files"] += 1
            url = f"http://127.0.0.1/{group}/{path.name}"
            result = parse_feed(path.read_bytes(), url=url, source=f"corpus-{group}",
                                content_type="application/xml")
            if result.error:
                outcomes["source_errors"] += 1
                assert result.error.strip() and "\n" not in result.error, f"{path.name}: error must be one line"
            feed_entries = len(result.entries) + sum(w.startswith("entry ") for w in result.warnings)
            outcomes["entry_reasons"] += len(result.warnings)
            for entry in result.entries:
                try:
                    store.ingest(entry.item)
                    outcomes["stored"] += 1
                except BadItem:
                    outcomes["entry_reasons"] += 1
            # Every entry feedparser sees is either handed on for storage or given a reason.
            if not result.error:
                assert feed_entries == len(feedparser.parse(path.read_bytes()).entries), path.name
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
    assert outcomes["files"] > 0
    if group in ("wellformed", "encoding"):
        assert outcomes["stored"] > 0, outcomes
