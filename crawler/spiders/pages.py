"""What the HTML spiders share: decoding a response and turning an extracted page into an item."""

from __future__ import annotations

from datetime import UTC, datetime

from parsel import Selector
from scrapy.http import Response

from crawler.dates import find_published
from crawler.extract import Extracted, decode_html, extract_article
from crawler.items import AnnouncementItem


def page_html(response: Response) -> str:
    """The page as correct Unicode, whatever its declared (or misdeclared) charset."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
    return decode_html(response.body, content_type)


def selector(html: str) -> Selector:
    return Selector(text=html, type="html")


def generic_item(response: Response, html: str, source: str, *, topline: str | None = None) -> AnnouncementItem:
    """Generic main-text extraction, for `article` sources and for GSB pages whose selectors missed."""
    page: Extracted = extract_article(html, response.url)
    return make_item(response.url, source, title=page.title, body=page.text, author=page.author,
                     meta=page.meta_dates, topline=topline, html_date=page.html_date, language=page.language)


def make_item(url: str, source: str, *, title: str | None, body: str, author: str | None = None,
              meta: dict[str, str] | None = None, topline: str | None = None, descriptor: str | None = None,
              tags: list[str] | None = None, html_date: str | None = None,
              language: str | None = None) -> AnnouncementItem:
    crawl_time = datetime.now(UTC)
    date = find_published(url=url, meta=meta or None, topline=topline, text=body, crawl_time=crawl_time,
                          html_date=html_date)
    return AnnouncementItem(
        url=url, source=source, title=title, body=body, text_kind="full" if body else "title",
        published=date.value, published_evidence=date.evidence, published_reason=date.reason,
        author=author, descriptor=descriptor, tags=tags or [], language=language,
    )
