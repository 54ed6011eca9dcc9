"""Retries with exponential backoff: a struggling server gets time to recover instead of being
asked again at once. Scrapy's own RetryMiddleware decides what to retry; this one decides when."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware


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
