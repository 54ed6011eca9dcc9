"""Source kind ``article``: ordinary web pages read with generic main-text extraction.

Without ``follow`` the start pages are the articles (for example a programme page that changes
over time); with ``follow`` the start pages are listings and the links matching the regex are
the articles. Known articles are not fetched again unless ``revisit`` or ``--full`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.items import AnnouncementItem
from crawler.spiders.base import SourceSpider
from crawler.spiders.pages import generic_item, page_html, selector


class ArticleSpider(SourceSpider):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        follow = self.source.options.get("follow")
        self.follow = re.compile(follow) if follow else None
        self.revisit = bool(self.source.options.get("revisit"))

    def first_requests(self) -> Iterator[Request]:
        callback = self.parse_start if self.follow else self.parse_article
        for url in self.source.urls:
            # Conditional requests keep a revisited page cheap when it has not changed.
            yield Request(url, callback=callback, errback=self._start_failed, dont_filter=True,
                          headers=self.conditional_headers(url), meta={"handle_httpstatus_list": [304]})

    def _start_failed(self, failure: Failure) -> None:
        self.request_failed(failure, fatal=True)

    def parse_start(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            self.count("not_modified")
            return
        page = selector(page_html(response))
        assert self.follow is not None
        links = []
        for href in page.css("a::attr(href)").getall():
            url = urljoin(response.url, href.strip())
            if self.follow.search(url) and self.on_site(url):
                links.append(url)
        links = list(dict.fromkeys(links))
        if not links and self.counted("links_off_site"):
            return  # the links matched but lead off-site: reported once, when the run closes
        if not links:
            self.count("selector_misses")
            self.error(f"{response.url}: no links match follow = {self.follow.pattern!r}")
            return
        self.remember_validators(response)
        self.count("items", len(links))
        for url in links:
            known = self.dataset is not None and self.dataset.known_url(url, self.source.name)
            if known and not (self.full or self.revisit):
                continue
            yield Request(url, callback=self.parse_article, errback=self.request_failed)

    def parse_article(self, response: Response) -> Iterator[AnnouncementItem]:
        if response.status == 304:
            self.count("not_modified")
            return
        item = generic_item(response, page_html(response), self.source.name)
        if not item.body:
            self.count("selector_misses")
            self.error(f"{response.url}: no main text found")
            return
        if not self.follow:
            self.count("items")
            self.remember_validators(response)
        yield item
