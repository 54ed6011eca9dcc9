"""What every source spider shares: its source, its counts, its crawl run's status and its errors.

The dataset belongs to Scrapy's item pipeline (``crawler.pipelines.StorePipeline``), which opens
it, records the run and closes it; the spider asks it questions through ``self.dataset`` and counts
through the crawler's stats (``clusterwatch/<name>``).

A spider never lets a fault escape as a traceback: HTTP errors, timeouts, robots.txt refusals and
exceptions in callbacks become one-line messages in the source's crawl run, and the run's status
says whether the source worked.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
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
from crawler.items import AnnouncementItem
from crawler.netpolicy import RequestRefused, host_allowed, resolver_refusal
from crawler.pipelines import CrawlState
from crawler.sources import Source

log = logging.getLogger(__name__)
# The spider's counts live in the crawler's stats under this prefix.
STAT_PREFIX = "clusterwatch/"


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
        self._counts: Counter[str] = Counter()  # used only outside a crawl (no crawler, no stats)
        self.messages: list[str] = []
        self.fatal = False
        self.stopped_early = False
        self.dataset: CrawlState | None = None  # set by the store pipeline while the spider runs
        self.off_site_example: str | None = None

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
        crawler.signals.connect(spider._callback_error, signal=signals.spider_error)
        crawler.signals.connect(spider._response, signal=signals.response_received)
        return spider

    # --- lifecycle --------------------------------------------------------------------------

    def finish(self, reason: str) -> str:
        """The run's status when Scrapy closed the spider for ``reason`` (the store pipeline
        records it), with the run's closing messages added."""
        limit = self.crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        not_queued = self.counted("not_queued")
        self.stopped_early = reason != "finished" or bool(not_queued)
        if reason == "closespider_pagecount" or not_queued:
            skipped = f"; {not_queued} more links not followed" if not_queued else ""
            # First, not last: the run keeps only its first 100 messages.
            self.messages.insert(0, f"warning: stopped early after {self.counted('pages')} pages:"
                                    f" max_pages = {limit} reached{skipped}")
        if reason not in ("finished", "closespider_pagecount"):
            self.error(f"crawl ended early: {reason}")
        self._check_off_site()
        self.before_close()
        if self.fatal:
            return "failed"
        if self.counted("errors"):
            return "partial"
        if self.incomplete():
            return "incomplete"
        return "ok"

    def kept_back(self) -> list[AnnouncementItem]:
        """Items the spider held back during the crawl, for the pipeline to store at its close."""
        return []

    def before_close(self) -> None:
        """Hook for kinds that persist something once the run is known to be good."""

    def incomplete(self) -> bool:
        """Whether the run left work for the next one (a kind that defers says so)."""
        return False

    # --- bookkeeping ------------------------------------------------------------------------

    def _response(self, response: Response, request: Request, spider: scrapy.Spider) -> None:
        if spider is self:
            self.count("pages")

    def may_queue(self) -> bool:
        """Whether a callback's request fits the page budget. Past it the request could never be
        fetched (the spider closes at max_pages), and queueing 100,000 of them costs minutes
        and hundreds of megabytes."""
        limit = self.crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if limit and self.counted("queued") >= limit:
            self.count("not_queued")
            return False
        self.count("queued")
        return True

    def budget_spent(self) -> bool:
        """Whether no further request can be fetched this run (max_pages queued already)."""
        limit = self.crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        return bool(limit) and self.counted("queued") >= limit

    def _stats(self) -> Any:
        crawler = getattr(self, "crawler", None)  # none when the backfill calls a parse method
        return crawler.stats if crawler is not None else None

    def count(self, key: str, n: int = 1) -> None:
        stats = self._stats()
        if stats is None:
            self._counts[key] += n
        else:
            stats.inc_value(STAT_PREFIX + key, n)

    def counted(self, key: str) -> int:
        stats = self._stats()
        return int(stats.get_value(STAT_PREFIX + key, 0)) if stats is not None else self._counts[key]

    @property
    def counts(self) -> Counter[str]:
        """Every count of this run (pages, new, updated, errors ...): the crawl-run row's columns."""
        stats = self._stats()
        if stats is None:
            return Counter(self._counts)
        return Counter({k.removeprefix(STAT_PREFIX): v for k, v in stats.get_stats().items()
                        if k.startswith(STAT_PREFIX)})

    def error(self, message: str, *, fatal: bool = False) -> None:
        self.count("errors")
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
            self.count("http_errors")
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
        # (a backslash ends the authority for the downloader). crawler.middlewares.RequestPolicy
        # checks every request again; this only spares the refused ones a round trip.
        return host_allowed(host_of(url), self.allowed_domains)

    def on_site(self, url: str) -> bool:
        """Whether a link the source wants may be followed; the ones dropped as off-site are
        counted, so that a crawl which could follow none of its links does not pass for "ok"."""
        if self.allowed(url):
            self.count("links_on_site")
            return True
        self.count("links_off_site")
        self.off_site_example = self.off_site_example or url
        return False

    def _check_off_site(self) -> None:
        dropped = self.counted("links_off_site")
        if not dropped:
            return
        domains = ", ".join(self.allowed_domains)
        if self.counted("links_on_site"):
            self.warn(f"{dropped} links dropped as off-site (e.g. {self.off_site_example}); allowed_domains: {domains}")
        else:
            self.error(f"all {dropped} links were dropped as off-site (e.g. {self.off_site_example}): add"
                       f" {host_of(self.off_site_example or '')!r} to allowed_domains ({domains})", fatal=True)

    def conditional_headers(self, url: str) -> dict[str, str]:
        if self.full or self.dataset is None:
            return {}
        etag, modified = self.dataset.validators(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    def remember_validators(self, response: Response) -> None:
        if self.dataset is None:
            return
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            self.dataset.save_validators(
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
