"""Where an item becomes a row: every item of every spider goes through ``Store.ingest``."""

from __future__ import annotations

from typing import Any

from crawler.items import AnnouncementItem
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
        try:
            result = spider.store.ingest(item)
        except BadItem as exc:
            spider.warn(f"{item.url}: not stored: {exc}")
            return item
        spider.count(RUN_COLUMN[result.status])
        return item
