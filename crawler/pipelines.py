"""Where an item becomes a row: every item of every spider goes through ``Store.ingest``."""

from __future__ import annotations

import sqlite3
from typing import Any

from crawler.items import AnnouncementItem
from crawler.sanitize import cut
from crawler.store import BadItem

# IngestResult.status -> the crawl_runs column that counts it.
RUN_COLUMN = {"new": "new", "updated": "updated", "duplicate": "duplicates", "unchanged": "unchanged"}


class StorePipeline:
    def __init__(self, crawler: Any = None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        # Scrapy >= 2.14 no longer passes the spider; older versions do.
        spider = spider or getattr(self.crawler, "spider", None)
        if not isinstance(item, AnnouncementItem) or spider is None or spider.store is None:
            return item
        limit = self.crawler.settings.getint("CLUSTERWATCH_MAX_TEXT_CHARS") if self.crawler is not None else 0
        item.body, was_cut = cut(item.body, limit)
        if was_cut:
            # One entry cannot fill the dataset (or the detector's memory); the cut is on record.
            spider.warn(f"{item.url}: text cut to max_text_chars = {limit} characters")
        try:
            result = spider.store.ingest(item)
        except BadItem as exc:
            spider.warn(f"{item.url}: not stored: {exc}")
            return item
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                # Another writer held the dataset past the busy timeout: this item is lost for this
                # run only (the next run sees it as new); the crawl goes on.
                spider.error(f"{item.url}: not stored, the dataset stayed locked: {exc}")
                return item
            return self._unwritable(item, spider, exc)
        except sqlite3.Error as exc:
            return self._unwritable(item, spider, exc)
        spider.count(RUN_COLUMN[result.status])
        return item

    def _unwritable(self, item: Any, spider: Any, exc: Exception) -> Any:
        # Disk full, a read-only file: nothing more can be stored in this run. The item's
        # transaction was rolled back, so nothing half-stored remains; stop fetching.
        if not getattr(spider, "store_failed", False):
            spider.store_failed = True
            spider.error(f"dataset {spider.store.path} cannot be written: {exc}", fatal=True)
            if self.crawler is not None and self.crawler.engine is not None:
                self.crawler.engine.close_spider(spider, "dataset_error")
        return item
