"""Scrapy's item pipeline (not to be confused with ``monitor/cycle.py``, the monitor's detect →
alert cycle): every item of every source spider goes through ``Store.ingest`` here.

The pipeline owns the dataset while Scrapy runs a spider: ``open_spider`` opens the Store and
starts the source's crawl-run row, ``close_spider`` stores what the spider kept back, and the run
is recorded, and the Store closed, on ``spider_closed``, the one place Scrapy says why the spider
closed (finished, max_pages, shutdown). The spider never holds the Store: it asks its questions
(known pages, conditional-request validators) through ``CrawlState``, and counts through the
crawler's stats. An item that cannot be stored is dropped with Scrapy's ``DropItem``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.items import AnnouncementItem
from crawler.sanitize import cut
from crawler.store import BadItem, Store, sqlite_code

# IngestResult.status -> the crawl_runs column that counts it.
RUN_COLUMN = {"new": "new", "updated": "updated", "duplicate": "duplicates", "unchanged": "unchanged"}

# Sent by crawler.runner on a second Ctrl-C, just before the reactor stops without closing the
# spiders: the pipeline records the run as interrupted, with what it stored so far.
run_aborted = object()
# Sent by crawler.worker when a crawl reaches its time limit: the pipeline records the run as failed
# at once (closing the spider waits for the requests in flight, which a hanging server answers only
# at the download timeout), with the message saying so.
run_timed_out = object()


class CrawlState:
    """What a spider may ask of, and tell, the dataset while it crawls: whether a page is known,
    a listing's backfill state, conditional-request validators. Items go through the pipeline."""

    def __init__(self, store: Store):
        self._store = store

    def known_url(self, url: str, source: str) -> bool:
        return self._store.known_url(url, source)

    def has_full_text(self, url: str) -> bool:
        return self._store.has_full_text(url)

    def backfill_complete(self, source: str) -> bool:
        return self._store.backfill_complete(source)

    def mark_backfill_complete(self, source: str) -> None:
        self._store.mark_backfill_complete(source)

    def validators(self, url: str) -> tuple[str | None, str | None]:
        return self._store.validators(url)

    def save_validators(self, url: str, etag: str | None, modified: str | None) -> None:
        self._store.save_validators(url, etag, modified)


def _is_source_spider(spider: Any) -> bool:
    # Duck-typed: importing crawler.spiders.base here would make an import circle (the feed
    # spider imports RUN_COLUMN from this module).
    return getattr(spider, "source", None) is not None and hasattr(spider, "finish")


class StorePipeline:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.store: Store | None = None
        self.run_id: int | None = None
        self.recorded = False  # the run's end is in the dataset
        self.unwritable = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.aborted, signal=run_aborted)
        crawler.signals.connect(pipeline.timed_out, signal=run_timed_out)
        return pipeline

    def _spider(self, spider: Any) -> Any:
        # Scrapy >= 2.14 no longer passes the spider; older versions do.
        return spider or getattr(self.crawler, "spider", None)

    # --- lifecycle --------------------------------------------------------------------------

    def open_spider(self, spider: Any = None) -> None:
        spider = self._spider(spider)
        if not _is_source_spider(spider):
            return
        path = getattr(spider, "db_path", None) or self.crawler.settings.get("CLUSTERWATCH_DB")
        if not path:
            raise RuntimeError("no dataset path: set CLUSTERWATCH_DB or run through 'clusterwatch crawl'")
        self.store = Store(path, aggregators=self.crawler.settings.getlist("CLUSTERWATCH_AGGREGATORS"))
        self.run_id = self.store.start_run(spider.source.name, spider.batch)
        spider.dataset = CrawlState(self.store)

    def close_spider(self, spider: Any = None) -> None:
        spider = self._spider(spider)
        if self.store is None or not _is_source_spider(spider):
            return
        # Entries the feed spider kept back (their pages did not fit the budget): stored from the
        # feed's own text. The spider is closing already, so an unwritable dataset stops nothing.
        for item in spider.kept_back():
            try:
                self._ingest(item, spider)
            except DropItem:
                pass

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.store is None or self.recorded or not _is_source_spider(spider):
            return
        if reason == "shutdown":  # Ctrl-C or SIGTERM: not a fault of the source
            self.aborted("stopped on request")
            return
        self._record(spider, spider.finish(reason))

    def aborted(self, how: str) -> None:
        """Record the run as interrupted, with what it stored so far (nothing is marked complete:
        a listing's backfill is not)."""
        spider = self.crawler.spider
        if self.store is None or self.recorded or not _is_source_spider(spider):
            return
        spider.messages.insert(0, f"interrupted: {how} after {spider.counted('pages')} pages")
        self._record(spider, "interrupted")

    def timed_out(self, message: str) -> None:
        spider = self.crawler.spider
        if self.store is None or self.recorded or not _is_source_spider(spider):
            return
        spider.error(message, fatal=True)
        self._record(spider, "failed")

    def _record(self, spider: Any, status: str) -> None:
        assert self.store is not None and self.run_id is not None
        self.recorded = True
        spider.dataset = None
        try:
            self.store.finish_run(self.run_id, dict(spider.counts), spider.messages, status)
        finally:
            self.store.close()

    # --- items ------------------------------------------------------------------------------

    def process_item(self, item: Any, spider: Any = None) -> Any:
        spider = self._spider(spider)
        if not isinstance(item, AnnouncementItem) or self.store is None or not _is_source_spider(spider):
            return item
        if self.unwritable:
            raise DropItem(f"{item.url}: not stored, the dataset cannot be written", log_level="DEBUG")
        try:
            self._ingest(item, spider)
        except DropItem:
            if self.unwritable and self.crawler.engine is not None:
                self._close(spider)
            raise
        return item

    def _ingest(self, item: AnnouncementItem, spider: Any) -> None:
        assert self.store is not None
        limit = self.crawler.settings.getint("CLUSTERWATCH_MAX_TEXT_CHARS")
        item.body, was_cut = cut(item.body, limit)
        if was_cut:
            # One entry cannot fill the dataset (or the detector's memory); the cut is on record.
            spider.warn(f"{item.url}: text cut to max_text_chars = {limit} characters")
        try:
            result = self.store.ingest(item)
        except BadItem as exc:
            spider.warn(f"{item.url}: not stored: {exc}")
            raise DropItem(f"{item.url}: {exc}", log_level="DEBUG") from None
        except sqlite3.Error as exc:
            if sqlite_code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                # Another writer held the dataset past the busy timeout: this item is lost for this
                # run only (the next run sees it as new); the crawl goes on.
                spider.error(f"{item.url}: not stored, the dataset stayed locked: {exc}")
            elif not self.unwritable:
                # Disk full, a read-only file: nothing more can be stored in this run. The item's
                # transaction was rolled back, so nothing half-stored remains; stop fetching.
                self.unwritable = True
                spider.error(f"dataset {self.store.path} cannot be written: {exc}", fatal=True)
            raise DropItem(f"{item.url}: {exc}", log_level="DEBUG") from None
        spider.count(RUN_COLUMN[result.status])

    def _close(self, spider: Any) -> None:
        # Scrapy honours CloseSpider only from a callback, not from a pipeline (it would be logged
        # as a failed item with a traceback), so the pipeline asks the engine, as CloseSpider would.
        engine = self.crawler.engine
        close_async = getattr(engine, "close_spider_async", None)
        if close_async is not None:  # Scrapy >= 2.14
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(close_async(reason="dataset_error"))
        else:
            engine.close_spider(spider, "dataset_error")
