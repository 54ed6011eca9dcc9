"""Source kind ``feed``: an RSS, Atom or RDF feed; each entry becomes an announcement.

An unchanged feed costs one conditional request answered 304. An entry whose own text is short
gets its linked page fetched once for the full text; a known article is not fetched again.

No entry is lost to the page budget (max_pages): an entry whose page does not fit is stored from
the feed's own text (text_kind "summary" or "title") and its page is fetched by a later run. The
feed's validators are saved only when no page is outstanding; otherwise the next run would get a
304 and never see those entries again. A run that deferred pages is "incomplete", never "ok".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.extract import decode_html, extract_article
from crawler.feeds import FeedEntry, parse_feed
from crawler.items import AnnouncementItem
from crawler.netpolicy import RequestRefused, resolver_refusal
from crawler.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._validated: list[Response] = []
        # Entries whose page was requested and not yet answered, by id(item): stored from the
        # feed's text if the spider closes first (at max_pages, queued requests are dropped).
        self._pending: dict[int, AnnouncementItem] = {}

    def first_requests(self) -> Iterator[Request]:
        for url in self.source.urls:
            yield Request(
                url, callback=self.parse_feed, errback=self._feed_failed, dont_filter=True,
                headers=self.conditional_headers(url), meta={"handle_httpstatus_list": [304]},
            )

    def _feed_failed(self, failure: Failure) -> None:
        self.request_failed(failure, fatal=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            self.count("not_modified")
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        result = parse_feed(
            response.body, url=response.url, source=self.source.name, content_type=content_type,
            min_text_chars=self.source.options["min_text_chars"],
        )
        if result.error:
            self.error(f"{response.url}: {result.error}", fatal=not result.entries)
        for warning in result.warnings:
            self.warn(f"{response.url}: {warning}")
        if not result.error:
            self._validated.append(response)
        self.count("items", len(result.entries))
        for entry in result.entries:
            yield from self._entry(entry)

    def _entry(self, entry: FeedEntry) -> Iterator[Any]:
        wants_page = (
            self.source.options["full_text"]
            and entry.item.text_kind != "full"
            and (self.full or self.dataset is None or not self.dataset.has_full_text(entry.link))
            and self.on_site(entry.link)
        )
        if not wants_page:
            yield entry.item
            return
        if self.budget_spent():
            self.count("deferred")
            yield entry.item
            return
        self._pending[id(entry.item)] = entry.item
        yield Request(
            entry.link, callback=self.parse_page, errback=self._page_failed,
            cb_kwargs={"item": entry.item}, dont_filter=True,
        )

    def parse_page(self, response: Response, item: AnnouncementItem) -> Iterator[AnnouncementItem]:
        self._pending.pop(id(item), None)
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        page = extract_article(decode_html(response.body, content_type), response.url)
        if len(page.text) > len(item.body):
            item.body = page.text
            item.text_kind = "full"
        item.title = item.title or page.title
        item.author = item.author or page.author
        item.language = item.language or page.language
        yield item

    def _page_failed(self, failure: Failure) -> Iterator[AnnouncementItem]:
        # The entry's own text is still worth storing; the page can be fetched next time.
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy on errback failures
        item: AnnouncementItem = request.cb_kwargs["item"]
        self._pending.pop(id(item), None)
        if failure.check(RequestRefused) or resolver_refusal(request.url):
            # A link that points where the source may not go is an attack or a misconfiguration:
            # an error of the run, not a passing network fault.
            self.request_failed(failure)
        else:
            self.warn(f"{request.url}: full text not fetched ({failure.getErrorMessage()[:120]})")
        yield item

    def kept_back(self) -> list[AnnouncementItem]:
        # Stored by the pipeline as the spider closes (crawler.pipelines.StorePipeline.close_spider).
        items = list(self._pending.values())
        self.count("deferred", len(items))
        self._pending.clear()
        return items

    def before_close(self) -> None:
        deferred = self.counted("deferred")
        if deferred:
            limit = self.crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
            self.messages.insert(0, f"warning: {deferred} entries stored from the feed's own text; their pages"
                                    f" did not fit max_pages = {limit} and are fetched by the next run")
        # A deferred page must be asked for again: a 304 would hide its entry for good. (A page that
        # failed is not deferred: its entry is stored, and a broken page must not cost the 304.)
        if not self.fatal and not deferred:
            for response in self._validated:
                self.remember_validators(response)

    def incomplete(self) -> bool:
        return bool(self.counted("deferred"))
