"""Source kinds, registered by name, each declaring the configuration keys it accepts.

A ``[[sources]]`` table is checked against its kind's keys before anything is crawled, so a typo
is reported with the list of valid keys instead of being silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crawler.canonical import URLError, check_url, host_of, on_domains


class SourceConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Key:
    type: type | tuple[type, ...]
    default: Any = None
    help: str = ""


COMMON_KEYS: dict[str, Key] = {
    "name": Key(str, help="unique name, used on the command line and in the dataset"),
    "kind": Key(str, help="the source kind"),
    "url": Key(str, help="the one address to start from (or start_urls)"),
    "start_urls": Key(list, help="addresses to start from"),
    "every": Key(str, "6h", "how often the service crawls it: 90s, 30m, 6h, 1d"),
    "cron": Key(str, None, "a crontab expression instead of every, e.g. '0 7 * * 1-5'"),
    "jitter": Key(str, "2m", "random delay added to each scheduled run"),
    "enabled": Key(bool, True, "false keeps the source configured but skips it"),
    "allowed_domains": Key(list, None, "hosts it may fetch from; default: the hosts of its URLs"),
    "download_delay": Key((int, float), None, "seconds between requests to this source's hosts"),
    "max_pages": Key(int, None, "stop after this many pages (default: crawler.max_pages)"),
    "aggregator": Key(bool, False, "republishes other sites' announcements: an original's copy of the same day wins"),
    "archive_prefixes": Key(list, None, "URL prefixes its pages live under in the web archives"
                            " (clusterwatch backfill); default: derived from its URLs and kind"),
}


@dataclass(frozen=True)
class Kind:
    name: str
    spider: str  # dotted path, imported only when a crawl starts
    keys: dict[str, Key]
    help: str


GSB_SELECTOR_DEFAULTS = {
    "listing_item": "ul.card-list-media-space > li.media-space-list-item div.card-block",
    "listing_link": "a.card-link-overlay::attr(href)",
    "listing_date": "p.topline span.date::text",
    "next_page": 'ul.pagination a[aria-label="Next"]::attr(href)',
    "article_head": "main#main > div.main-head",
    "article_date": "span.date::text",
    "article_descriptor": "span.topline-descriptor::text",
    "article_tags": "a.tag span::text",
    "article_title": ".title",
    "article_content": "main#main > div.main-content div.content",
    # Inside the content: images with their captions and credits, contact boxes, share bars.
    "article_drop": ".picture, figure, .contact-box, .share-bar, .related-content, script, style",
}

KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


register(Kind(
    "feed", "crawler.spiders.feed.FeedSpider",
    {
        "full_text": Key(bool, True, "fetch the linked page when the entry's own text is short"),
        "min_text_chars": Key(int, 600, "an entry text shorter than this counts as short"),
    },
    "an RSS, Atom or RDF feed",
))
register(Kind(
    "gsb", "crawler.spiders.gsb.GsbSpider",
    {
        "selectors": Key(dict, None, "CSS selectors overriding the Government Site Builder defaults"),
        "max_listing_pages": Key(int, 5000, "listing pages to follow at most"),
        "known_pages_to_stop": Key(int, 1, "stop paging after this many listing pages that show known articles"),
        "follow": Key(str, None, "regex: only article links matching it"),
    },
    "a Government Site Builder listing (bmwe.de, clusterplattform.de)",
))
register(Kind(
    "article", "crawler.spiders.article.ArticleSpider",
    {
        "follow": Key(str, None, "regex for links on the start pages to treat as articles"),
        "revisit": Key(bool, False, "fetch known articles again (pages that change, like programme pages)"),
    },
    "web pages read with generic main-text extraction",
))


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    urls: list[str]
    every: float
    cron: str | None
    jitter: float
    enabled: bool
    allowed_domains: list[str]
    download_delay: float | None
    max_pages: int | None
    options: dict[str, Any] = field(default_factory=dict)
    aggregator: bool = False
    archive_prefixes: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "kind": self.kind, "urls": self.urls, "every": self.every,
            "cron": self.cron, "enabled": self.enabled, "allowed_domains": self.allowed_domains,
            "aggregator": self.aggregator, **self.options,
        }


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Below this, `every` is a mistake (a "0s" made the scheduler spin), not a schedule.
MIN_EVERY_SECONDS = 1.0
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def parse_duration(text: str) -> float:
    """'30m' -> 1800.0; raises ValueError naming the accepted forms."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration; use a number and a unit: 90s, 30m, 6h, 1d, 1w")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]


def parse_sources(raw: Any) -> list[Source]:
    if not isinstance(raw, list):
        raise SourceConfigError("sources must be an array of tables: [[sources]]")
    sources: list[Source] = []
    names: set[str] = set()  # a set, not a scan of the list: 50,000 sources took 75 s
    for index, table in enumerate(raw, 1):
        source = parse_source(table, index)
        if source.name in names:
            raise SourceConfigError(f"source #{index}: the name {source.name!r} is used twice")
        names.add(source.name)
        sources.append(source)
    return sources


def parse_source(table: Any, index: int = 1) -> Source:
    if not isinstance(table, dict):
        raise SourceConfigError(f"source #{index} must be a table")
    name = table.get("name")
    label = f"source {name!r}" if isinstance(name, str) else f"source #{index}"
    if not isinstance(name, str) or not _NAME.match(name):
        raise SourceConfigError(f"{label}: name is required (letters, digits, '-', '_', '.')")
    kind_name = table.get("kind")
    if kind_name not in KINDS:
        raise SourceConfigError(
            f"{label}: unknown kind {kind_name!r}; valid kinds: {', '.join(sorted(KINDS))}"
        )
    kind = KINDS[kind_name]
    valid = {**COMMON_KEYS, **kind.keys}
    for key, value in table.items():
        if key not in valid:
            raise SourceConfigError(
                f"{label}: unknown key {key!r} for kind {kind_name!r}; valid keys: {', '.join(sorted(valid))}"
            )
        expected = valid[key].type
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise SourceConfigError(f"{label}: {key} has the wrong type ({type(value).__name__})")
    if "url" in table and "start_urls" in table:
        raise SourceConfigError(f"{label}: give url or start_urls, not both")
    urls = [table["url"]] if "url" in table else list(table.get("start_urls", []))
    if not urls:
        raise SourceConfigError(f"{label}: url or start_urls is required")
    for url in urls:
        try:
            check_url(url)
        except (URLError, TypeError, AttributeError) as exc:
            raise SourceConfigError(f"{label}: bad URL {url!r}: {exc}") from None
    try:
        every = parse_duration(table.get("every", COMMON_KEYS["every"].default))
        jitter = parse_duration(table.get("jitter", COMMON_KEYS["jitter"].default))
    except ValueError as exc:
        raise SourceConfigError(f"{label}: {exc}") from None
    if every < MIN_EVERY_SECONDS and "cron" not in table:
        raise SourceConfigError(f"{label}: every = {table.get('every')!r} is below the floor of"
                                f" {MIN_EVERY_SECONDS:g}s; use a longer interval, e.g. \"1h\"")
    domains = [str(d).lower() for d in table.get("allowed_domains") or sorted({host_of(u) for u in urls})]
    for url in urls:
        # Scrapy would fetch the start page (it is never filtered) and silently drop every link
        # and robots.txt as off-site: the run looked "ok, 1 page, 0 new".
        if not on_domains(url, domains):
            raise SourceConfigError(
                f"{label}: start URL {url} is outside allowed_domains ({', '.join(domains)}); add"
                f" {host_of(url)!r} to allowed_domains, or remove the key to allow the start URLs' hosts")
    options = {k: table.get(k, key.default) for k, key in kind.keys.items()}
    if kind_name == "gsb":
        selectors = dict(GSB_SELECTOR_DEFAULTS)
        for k, v in (table.get("selectors") or {}).items():
            if k not in GSB_SELECTOR_DEFAULTS:
                raise SourceConfigError(
                    f"{label}: unknown selector {k!r}; valid selectors: {', '.join(sorted(GSB_SELECTOR_DEFAULTS))}"
                )
            selectors[k] = v
        options["selectors"] = selectors
    if options.get("follow"):
        try:
            re.compile(options["follow"])
        except re.error as exc:
            raise SourceConfigError(f"{label}: follow is not a valid regex: {exc}") from None
    return Source(
        name=name, kind=kind_name, urls=urls, every=every, cron=table.get("cron"), jitter=jitter,
        enabled=table.get("enabled", True), allowed_domains=domains,
        download_delay=table.get("download_delay"), max_pages=table.get("max_pages"), options=options,
        aggregator=table.get("aggregator", False),
        archive_prefixes=table.get("archive_prefixes"),
    )
