"""Feed documents (RSS, Atom, RDF) to announcement items, with feedparser.

Pure: bytes in, items and messages out. The feed spider does the HTTP; tests push every file of
feedparser's own test corpus through ``parse_feed`` to prove that no feed in the wild can make
ingestion raise.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from crawler.canonical import URLError, canonical_url
from crawler.dates import find_published
from crawler.extract import html_fragment_to_text
from crawler.items import AnnouncementItem


@dataclass
class FeedEntry:
    item: AnnouncementItem
    link: str


@dataclass
class FeedResult:
    entries: list[FeedEntry] = field(default_factory=list)
    error: str | None = None  # the feed as a whole is unusable
    warnings: list[str] = field(default_factory=list)  # per-entry reasons, recoverable faults


def parse_feed(
    body: bytes, *, url: str, source: str, content_type: str | None = None, min_text_chars: int = 600
) -> FeedResult:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    result = FeedResult()
    if not body.strip():
        # feedparser would call this "not a feed"; an empty answer is a fault of the server's.
        result.error = f"empty response ({len(body)} bytes)"
        return result
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    except Exception as exc:  # feedparser promises not to raise, but a feed in the wild may prove it wrong
        result.error = f"feedparser failed: {type(exc).__name__}: {exc}"
        return result
    problem = _describe_bozo(parsed)
    if not parsed.entries:
        if not parsed.get("version"):
            kind = (content_type or "").split(";")[0].strip() or "unknown type"
            result.error = f"not a feed ({kind}{'; ' + problem if problem else ''})"
        elif problem:
            result.error = f"broken feed with no readable entries: {problem}"
        return result
    if problem:
        result.warnings.append(f"malformed feed, {len(parsed.entries)} entries read anyway: {problem}")
    for number, entry in enumerate(parsed.entries, 1):
        try:
            made = _entry(entry, url=url, source=source, min_text_chars=min_text_chars)
        except ValueError as exc:
            result.warnings.append(f"entry {number}: {exc}")
            continue
        result.entries.append(made)
    return result


def _describe_bozo(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    # A declared/actual charset mismatch is routine and feedparser repairs it.
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return None
    return f"{type(exc).__name__}: {exc}"[:300] if exc else "malformed"


def _entry(entry: Any, *, url: str, source: str, min_text_chars: int) -> FeedEntry:
    link = _link(entry, url)
    title = _text(entry.get("title", "")) or None
    content = ""
    for block in entry.get("content", []) or []:
        value = block.get("value") if isinstance(block, dict) else None
        if value and len(value) > len(content):
            content = value
    summary_html = entry.get("summary", "") or ""
    text = _text(content) if content else ""
    summary = _text(summary_html) if summary_html else ""
    body = text if len(text) >= len(summary) else summary
    if not (title or body):
        raise ValueError(f"{link}: no title and no text")
    kind = "full" if len(body) >= min_text_chars else ("summary" if body else "title")
    published, evidence, reason = _date(entry)
    item = AnnouncementItem(
        url=link, source=source, title=title, body=body, text_kind=kind, published=published,
        published_evidence=evidence, published_reason=reason,
        author=_text(entry.get("author", "")) or None,
        tags=[str(t["term"]) for t in entry.get("tags", []) or [] if isinstance(t, dict) and t.get("term")],
    )
    return FeedEntry(item=item, link=link)


def _link(entry: Any, feed_url: str) -> str:
    candidates = [entry.get("link")]
    candidates += [link.get("href") for link in entry.get("links", []) or [] if isinstance(link, dict)]
    candidates.append(entry.get("id"))
    for candidate in candidates:
        if not candidate or not isinstance(candidate, str):
            continue
        absolute = urljoin(feed_url, candidate.strip())
        try:
            canonical_url(absolute)
        except URLError:
            continue
        return absolute
    raise ValueError("no http(s) link")


def _date(entry: Any) -> tuple[str | None, str | None, str | None]:
    # The entry's own dates, in feedparser's reading (UTC); crawler.dates decides which is
    # plausible and how it is written, as for every other date.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            try:
                moment = datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
            found = find_published(feed=moment, feed_field=key.removesuffix("_parsed"))
            if found.value is not None:
                return found.value, found.evidence, None
    raw = entry.get("published") or entry.get("updated")
    if raw:
        return None, None, f"feed entry date {str(raw)[:60]!r} could not be read"
    return None, None, "feed entry has no date"


def _text(html_or_text: str) -> str:
    if "<" not in html_or_text and "&" not in html_or_text:
        return " ".join(html_or_text.split())
    return html_fragment_to_text(html_or_text)
