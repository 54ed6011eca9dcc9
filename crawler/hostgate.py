"""One request at a time per site across every spider of a process, with the download delay.

Scrapy keeps per-domain concurrency and delay per crawler: two sources on one site, crawled in
one process (`clusterwatch crawl`, `run --once`, a long-lived worker), each had their own slot,
so the site saw two requests at once. This middleware holds a process-wide gate per host and
port: a request waits until the site's previous request has been answered and the delay since it
was sent has passed. With ``concurrent_per_domain`` above 1 the configuration allows more and the
gate stands aside.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scrapy.utils.httpobj import urlparse_cached

_META = "_clusterwatch_host_gate"


class HostGate:
    # Shared by every crawler of the process: that is the point.
    locks: dict[str, asyncio.Lock] = {}
    last_sent: dict[str, float] = {}

    def __init__(self, delay: float, enabled: bool, stale_after: float = 300.0):
        self.delay = delay
        self.enabled = enabled
        # A request that took the gate and was then dropped without an answer (its spider closed
        # while it waited in the downloader's queue) would hold the site forever in a long-lived
        # worker: after this long the gate is taken to be abandoned and a new one made.
        self.stale_after = stale_after

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostGate:
        s = crawler.settings
        stale = 2 * s.getfloat("DOWNLOAD_TIMEOUT", 180) + s.getfloat("RETRY_BACKOFF_MAX", 60)
        return cls(s.getfloat("DOWNLOAD_DELAY"), s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1, stale)

    async def process_request(self, request: Any, spider: Any = None) -> None:
        if not self.enabled:
            return None
        key = urlparse_cached(request).netloc.lower()
        lock = self.locks.setdefault(key, asyncio.Lock())
        try:
            await asyncio.wait_for(lock.acquire(), self.stale_after)
        except TimeoutError:
            if self.locks.get(key) is lock:
                self.locks[key] = asyncio.Lock()
            lock = self.locks[key]
            await lock.acquire()
        try:
            delay = getattr(spider, "download_delay", None) if spider is not None else None
            wait = self.last_sent.get(key, 0.0) + (self.delay if delay is None else float(delay)) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        except BaseException:  # cancelled while waiting (the spider closed): the site is free again
            lock.release()
            raise
        self.last_sent[key] = time.monotonic()
        request.meta[_META] = lock  # released through the object: the key may have a new one by then
        return None

    def _release(self, request: Any) -> None:
        lock = request.meta.pop(_META, None)
        if lock is not None and lock.locked():
            lock.release()

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Any, exception: Exception, spider: Any = None) -> None:
        self._release(request)
        return None
