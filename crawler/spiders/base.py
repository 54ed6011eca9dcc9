"""What every source spider shares: its source, its store, its crawl-run record and its errors.

A spider never lets a fault escape as a traceback: HTTP errors, timeouts, robots.txt refusals and
exceptions in callbacks become one-line messages in the source's crawl run, and the run's status
says whether the source worked.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.canonical import host_of
from crawler.netpolicy import RequestRefused, host_allowed, resolver_refusal
from crawler.sources import Source
from crawler.store import Store

log = logging.getLogger(__name__)


class SourceSpider(scrapy.Spider):
    source: Source  # set on the per-source subclass made by crawler.runner.spider_class

    def __init__(self, *args: Any, db: str | None = None, batch: str | None = None,
                 full: Any = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.name = self.source.name
        self.allowed_domains = list(self.source.allowed_domains)
        if self.source.download_delay is not None:
            self.download_delay = self.source.download_delay
        self.db_path = db
        self.batch = batch
        self.full = full in (True, "1", "true", "yes")
        self.counts: Counter[str] = Counter()
        self.messages: list[str] = []
        self.fatal = False
        self.stopped_early = False
        self.store: Store | None = None
        self.run_id: int | None = None
        self.off_site_example: str | None = None
        self.recorded = False  # the run's end is in the dataset

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        # The configuration's global max_pages is set at "cmdline" priority, which outranks the
        # per-source custom_settings; the source's own limit must win.
        source = getattr(cls, "source", None)
        if source is not None and source.max_pages:
            settings.set("CLOSESPIDER_PAGECOUNT", source.max_pages, priority="cmdline")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.db_path:
            spider.db_path = crawler.settings.get("CLUSTERWATCH_DB")
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        crawler.signals.connect(spider._callback_error, signal=signals.spider_error)
        crawler.signals.connect(spider._response, signal=signals.response_received)
        return spider

    # --- lifecycle --------------------------------------------------------------------------

    def _opened(self, spider: scrapy.Spider) -> None:
        if spider is not self:
            return
        if not self.db_path:
            raise RuntimeError("no dataset path: set CLUSTERWATCH_DB or run through 'clusterwatch crawl'")
        self.store = Store(self.db_path, aggregators=self.crawler.settings.getlist("CLUSTERWATCH_AGGREGATORS"))
        self.run_id = self.store.start_run(self.source.name, self.batch)

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is not self or self.store is None or self.run_id is None or self.recorded:
            return
        if reason == "shutdown":  # Ctrl-C or SIGTERM: not a fault of the source
            self.interrupted("stopped on request")
            return
        limit = self.crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        self.stopped_early = reason != "finished" or bool(self.counts["not_queued"])
        if reason == "closespider_pagecount" or self.counts["not_queued"]:
            skipped = f"; {self.counts['not_queued']} more links not followed" if self.counts["not_queued"] else ""
            # First, not last: the run keeps only its first 100 messages.
            self.messages.insert(0, f"warning: stopped early after {self.counts['pages']} pages:"
                                    f" max_pages = {limit} reached{skipped}")
        if reason not in ("finished", "closespider_pagecount"):
            self.error(f"crawl ended early: {reason}")
        self._check_off_site()
        self.before_close()
        if self.fatal:
            status = "failed"
        elif self.counts["errors"]:
            status = "partial"
        elif self.incomplete():
            status = "incomplete"
        else:
            status = "ok"
        self._record(status)

    def interrupted(self, how: str) -> None:
        """Record the run as interrupted, with what it stored so far.

        Also called from a second Ctrl-C, just before the reactor stops without closing the
        spiders: the run used to end as "pages 0 new 0 ... could not record its end" although
        items had been stored. Nothing is marked complete (a listing's backfill is not).
        """
        if self.store is None or self.run_id is None or self.recorded:
            return
        self.messages.insert(0, f"interrupted: {how} after {self.counts['pages']} pages")
        self._record("interrupted")

    def _record(self, status: str) -> None:
        assert self.store is not None and self.run_id is not None
        self.recorded = True
        self.store.finish_run(self.run_id, dict(self.counts), self.messages, status)
        self.store.close()

    def before_close(self) -> None:
        """Hook for kinds that persist something once the run is known to be good."""

    def incomplete(self) -> bool:
        """Whether the run left work for the next one (a kind that defers says so)."""
        return False

    # --- bookkeeping ------------------------------------------------------------------------

    def _response(self, response: Response, request: Request, spider: scrapy.Spider) -> None:
        if spider is self:
            self.counts["pages"] += 1

    def may_queue(self) -> bool:
        """Whether a callback's request fits the page budget. Past it the request could never be
        fetched (the spider closes at max_pages), and queueing 100,000 of them costs minutes
        and hundreds of megabytes."""
        limit = self.crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if limit and self.counts["queued"] >= limit:
            self.counts["not_queued"] += 1
            return False
        self.counts["queued"] += 1
        return True

    def budget_spent(self) -> bool:
        """Whether no further request can be fetched this run (max_pages queued already)."""
        limit = self.crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        return bool(limit) and self.counts["queued"] >= limit

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def error(self, message: str, *, fatal: bool = False) -> None:
        self.counts["errors"] += 1
        self.fatal = self.fatal or fatal
        self.messages.append(message[:500])
        log.warning("%s: %s", self.source.name, message)

    def warn(self, message: str) -> None:
        # Recoverable: recorded with the run, not counted as a failure.
        self.messages.append(f"warning: {message[:490]}")
        log.info("%s: %s", self.source.name, message)

    def _callback_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        if spider is self:
            exc = failure.value
            self.error(f"{response.url}: cannot parse: {type(exc).__name__}: {exc}")

    def request_failed(self, failure: Failure, *, fatal: bool = False) -> None:
        """Errback: name the URL and the fault in one line."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        meta = request.meta if request is not None else {}
        # After redirects, name the configured address first: that is what the analyst knows.
        origin = (meta.get("redirect_urls") or [url])[0]
        exc = failure.value
        text = str(exc)
        if failure.check(DNSLookupError, CannotResolveHostError) and resolver_refusal(url):
            message = f"{url}: refused: {resolver_refusal(url)}"
        elif failure.check(HttpError):
            self.counts["http_errors"] += 1
            assert isinstance(exc, HttpError)
            message = f"{url}: HTTP {exc.response.status}"
        elif failure.check(DNSLookupError, CannotResolveHostError):
            message = f"{url}: host not found"
        elif failure.check(DownloadConnectionRefusedError):
            message = f"{url}: connection refused"
        elif failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
            timeout = meta.get("download_timeout") or self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
            message = f"{url}: timed out after {timeout:g} s"
        elif failure.check(ResponseDataLossError):
            message = f"{url}: connection closed after part of the response (body shorter than Content-Length)"
        elif failure.check(DownloadCancelledError) and "max size" in text:
            message = f"{url}: response larger than max_response_bytes ({self._max_size(meta)} bytes){_size(text)}"
        elif failure.check(IgnoreRequest) and "DOWNLOAD_MAXSIZE" in text:
            message = (f"{url}: response larger than max_response_bytes ({self._max_size(meta)} bytes)"
                       " when decompressed; refused")
        elif failure.check(IgnoreRequest) and "max redirections" in text:
            hops = len(meta.get("redirect_urls") or [])
            message = f"{origin}: too many redirects ({hops}, a loop or a chain; last to {url})"
        elif failure.check(RequestRefused) and text.startswith("redirected off"):
            message = f"{origin}: {text}"
        elif failure.check(RequestRefused):
            message = f"{url}: {text}"
        elif failure.check(IgnoreRequest) and text.startswith("redirected off"):
            message = f"{origin}: {text}"
        elif failure.check(IgnoreRequest):
            text = text or "request ignored"
            message = f"{url}: {'blocked by robots.txt' if 'robots' in text.lower() else text}"
        else:
            message = f"{url}: {type(exc).__name__}: {text}"
        self.error(message, fatal=fatal)

    def _max_size(self, meta: dict[str, Any]) -> int:
        return int(meta.get("download_maxsize") or self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def allowed(self, url: str) -> bool:
        # The host the downloader would connect to, not the one urlsplit sees in the raw link
        # (a backslash ends the authority for the downloader). crawler.netpolicy.RequestPolicy
        # checks every request again; this only spares the refused ones a round trip.
        return host_allowed(host_of(url), self.allowed_domains)

    def on_site(self, url: str) -> bool:
        """Whether a link the source wants may be followed; the ones dropped as off-site are
        counted, so that a crawl which could follow none of its links does not pass for "ok"."""
        if self.allowed(url):
            self.counts["links_on_site"] += 1
            return True
        self.counts["links_off_site"] += 1
        self.off_site_example = self.off_site_example or url
        return False

    def _check_off_site(self) -> None:
        dropped = self.counts["links_off_site"]
        if not dropped:
            return
        domains = ", ".join(self.allowed_domains)
        if self.counts["links_on_site"]:
            self.warn(f"{dropped} links dropped as off-site (e.g. {self.off_site_example}); allowed_domains: {domains}")
        else:
            self.error(f"all {dropped} links were dropped as off-site (e.g. {self.off_site_example}): add"
                       f" {host_of(self.off_site_example or '')!r} to allowed_domains ({domains})", fatal=True)

    def conditional_headers(self, url: str) -> dict[str, str]:
        if self.full or self.store is None:
            return {}
        etag, modified = self.store.validators(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    def remember_validators(self, response: Response) -> None:
        if self.store is None:
            return
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            self.store.save_validators(
                response.request.url if response.request else response.url,
                etag.decode("latin-1") if etag else None,
                modified.decode("latin-1") if modified else None,
            )

    def start_requests(self) -> Iterator[Request]:  # Scrapy < 2.13
        yield from self.first_requests()

    async def start(self):  # type: ignore[override]  # Scrapy >= 2.13
        for request in self.first_requests():
            yield request

    def first_requests(self) -> Iterator[Request]:
        raise NotImplementedError


def _size(text: str) -> str:
    m = re.search(r"(?:receive|Received) (\d+) bytes", text)
    return f", {m.group(1)} bytes announced; refused" if m else "; refused"


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
