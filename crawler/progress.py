"""A one-line progress display on a terminal during long crawls and backfills.

Enabled by the command line only when standard error is a terminal (and not --quiet), so logs
and pipes stay clean. One line for all running sources, rewritten in place once a second.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

_spiders: dict[str, Any] = {}
_loop: task.LoopingCall | None = None
_started = time.monotonic()


class Progress:
    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        if not crawler.settings.getbool("CLUSTERWATCH_PROGRESS"):
            raise NotConfigured
        ext = cls()
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider: Any) -> None:
        global _loop
        _spiders[spider.name] = spider
        if _loop is None:
            _loop = task.LoopingCall(_draw)
            _loop.start(1.0, now=False)

    def closed(self, spider: Any) -> None:
        global _loop
        _spiders.pop(spider.name, None)
        if not _spiders and _loop is not None:
            _loop.stop()
            _loop = None
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _draw() -> None:
    elapsed = max(time.monotonic() - _started, 0.001)
    pages = sum(s.counts["pages"] for s in _spiders.values())
    stored = sum(s.counts["new"] + s.counts["updated"] + s.counts["duplicates"] for s in _spiders.values())
    names = ", ".join(sorted(_spiders))[:60]
    sys.stderr.write(f"\r\033[K{pages} pages, {stored} stored, {pages / elapsed:.1f} pages/s — {names}")
    sys.stderr.flush()
