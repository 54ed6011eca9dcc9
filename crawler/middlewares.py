"""Every Scrapy middleware of the project, in the order a request meets them:

- ``RequestPolicy`` (downloader, 50): the choke point every request passes before it is sent;
  the rules are in ``crawler.netpolicy``.
- ``RetryDelayMiddleware`` (downloader, 10) and ``BackoffRetryMiddleware`` (downloader, 550, in
  place of Scrapy's RetryMiddleware): retries with exponential backoff, so a struggling server gets
  time to recover instead of being asked again at once. Scrapy decides what to retry; these, when.
- ``PageBudget`` (spider, 950): a source's callbacks queue no more requests than its max_pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

from crawler.netpolicy import GuardedResolver, RequestRefused, allowed_networks, request_refusal, source_ports
from crawler.spiders.base import SourceSpider


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def _with_delay(self, result: Any) -> Any:
        if isinstance(result, Request):
            attempt = int(result.meta.get("retry_times", 1))
            result.meta["retry_delay"] = min(self.base * 2 ** (attempt - 1), self.cap)
        return result

    def process_response(self, request: Request, response: Any, spider: Any = None) -> Any:
        return self._with_delay(super().process_response(request, response))

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:
        return self._with_delay(super().process_exception(request, exception))


class RetryDelayMiddleware:
    """Waits out a retry's backoff before it is downloaded (holding its site's slot, on purpose)."""

    async def process_request(self, request: Request, spider: Any = None) -> None:
        delay = request.meta.pop("retry_delay", 0)
        if delay:
            await asyncio.sleep(delay)
        return None


class RequestPolicy:
    """Downloader middleware: the choke point every request passes before it is sent."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.allowed = allowed_networks(crawler.settings)
        # The resolver is one per process, set up before any spider's settings are known (with
        # `scrapy crawl`, the configuration arrives as the spider's settings); every request
        # passes here before it can connect, and one process crawls under one configuration.
        GuardedResolver.allowed = self.allowed

    @classmethod
    def from_crawler(cls, crawler: Any) -> RequestPolicy:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        source = getattr(self.crawler.spider, "source", None)
        if source is None:  # not a source spider (scrapy shell): nothing to hold it to
            return
        why = request_refusal(request, source.allowed_domains, source_ports(source.urls), self.allowed)
        if why is None:
            return
        if request.meta.get("redirect_urls"):
            raise RequestRefused(f"redirected off the allowed domains ({', '.join(source.allowed_domains)})"
                                 f" to {request.url}: {why}")
        raise RequestRefused(f"refused: {why}")


class PageBudget:
    """Spider middleware: a source's callbacks queue no more requests than its max_pages."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageBudget:
        return cls(crawler)

    def _keep(self, result: Any) -> bool:
        spider = self.crawler.spider
        return not (isinstance(result, Request) and isinstance(spider, SourceSpider)) or spider.may_queue()

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        return (r for r in result if self._keep(r))

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for r in result:
            if self._keep(r):
                yield r
