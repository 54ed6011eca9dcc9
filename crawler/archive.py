"""A polite client for a web archive's CDX index and its original-form (``id_``) captures.

Why not a library: ``wayback`` (EDGI) fixes the Internet Archive's addresses as module constants
(``CDX_SEARCH_URL``), so it cannot be pointed at a local replica without patching its module;
``cdx_toolkit`` can be pointed at one (``source=URL``, ``wb=URL``), but its pauses live in a
module-global table per host, a connection error or a truncated body sleeps a fixed 60 s, and it
sends its own User-Agent. The archives ask for fewer requests than that leaves configurable, so
this module is the smallest honest client over the standard library: every limit is a parameter.

The CDX API spoken here is the Internet Archive's (``/cdx/search/cdx``): ``url``, ``matchType``,
``from``/``to`` (1-14 digit timestamps), ``filter`` (``[!]field:regex``, repeatable), ``fl``,
``output=json`` (a list of rows, the first naming the fields), ``showNumPages=true`` and
``page``/``pageSize`` for paging.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
# HTML pages and feeds; everything else (images, PDFs, scripts) cannot hold an announcement.
MIME_FILTER = r"mimetype:(text/html|application/xhtml\+xml|application/(rss|atom|rdf)\+xml|application/xml|text/xml)"
RETRY_STATUS = {429, 500, 502, 503, 504, 509}

ARCHIVES = {
    "wayback": {
        "cdx_url": "https://web.archive.org/cdx/search/cdx",
        "wayback_url": "https://web.archive.org/web",
    },
}


class ArchiveError(Exception):
    """The archive could not answer, after the retries; the message is one line."""


@dataclass(frozen=True)
class Capture:
    timestamp: str  # YYYYMMDDhhmmss
    original: str
    mimetype: str
    statuscode: str
    digest: str
    length: str = ""

    @property
    def captured(self) -> str:
        """The capture time as ISO 8601 UTC."""
        ts = (self.timestamp + "00000000000000")[:14]
        return datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=UTC).isoformat(timespec="seconds")


@dataclass
class Limits:
    """How hard the archive is asked. The Internet Archive's CDX search allows far fewer requests
    per minute than its capture replay; both default to well under what it tolerates."""

    search_per_minute: float = 20.0
    fetch_per_minute: float = 30.0
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 10.0  # seconds before the first retry; doubled each time
    max_backoff: float = 300.0
    page_size: int | None = None  # CDX pageSize (index blocks per page); None: the archive's default
    resume_limit: int = 5000  # rows per request where the index is read by resumption key instead of pages


@dataclass
class RateLimit:
    per_minute: float
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _next: float = field(default=0.0, repr=False)

    def wait(self) -> None:
        if self.per_minute <= 0:
            return
        now = self.clock()
        if now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + 60.0 / self.per_minute


@dataclass
class Fetched:
    status: int
    url: str
    body: bytes
    content_type: str | None


class CDXClient:
    def __init__(self, cdx_url: str, wayback_url: str, *, limits: Limits | None = None, user_agent: str = "",
                 sleep: Callable[[float], None] = time.sleep):
        self.cdx_url = cdx_url
        self.wayback_url = wayback_url.rstrip("/")
        self.limits = limits or Limits()
        self.user_agent = user_agent or "clusterwatch"
        self.sleep = sleep
        self.search_rate = RateLimit(self.limits.search_per_minute, sleep)
        self.fetch_rate = RateLimit(self.limits.fetch_per_minute, sleep)
        self.requests = {"search": 0, "fetch": 0, "retries": 0}
        self.retry_messages: list[str] = []

    # --- the index ----------------------------------------------------------------------------

    def captures(self, prefix: str, *, match_type: str = "prefix", start: str | None = None,
                 end: str | None = None) -> Iterator[Capture]:
        """Every capture under ``prefix`` with status 200 and an HTML or feed type, page by page,
        one per distinct digest (the archive's ``collapse`` works within a page only)."""
        params: list[tuple[str, str]] = [("url", prefix), ("matchType", match_type), ("output", "json"),
                                         ("fl", ",".join(FIELDS)), ("filter", "statuscode:200"),
                                         ("filter", MIME_FILTER)]
        if start:
            params.append(("from", start))
        if end:
            params.append(("to", end))
        if self.limits.page_size:
            params.append(("pageSize", str(self.limits.page_size)))
        seen: set[str] = set()
        for capture in self._listing(params):
            if capture.digest in seen:
                continue
            seen.add(capture.digest)
            yield capture

    def _listing(self, params: list[tuple[str, str]]) -> Iterator[Capture]:
        """Page by page (``showNumPages``/``page``); where the server cannot page (it answers 400,
        as a CDX server without a secondary index does) or its pages come back empty although
        there are some (reported of prefix queries on the Internet Archive), by resumption key."""
        answer = self._get(self.cdx_url, params + [("showNumPages", "true")], kind="search")
        if answer.status == 400:
            yield from self._resumed(params)
            return
        _check(answer, self.cdx_url)
        try:
            pages = int(answer.body.decode("ascii", "replace").strip() or "0")
        except ValueError:
            raise ArchiveError(f"{self.cdx_url}: showNumPages answered {answer.body[:60]!r}, not a number") from None
        found = 0
        for page in range(pages):
            got = self._get(self.cdx_url, params + [("page", str(page))], kind="search")
            if got.status == 400 and page == 0:
                yield from self._resumed(params)
                return
            _check(got, self.cdx_url)
            captures, _ = parse_cdx_json(got.body, self.cdx_url)
            found += len(captures)
            yield from captures
        if pages and not found:
            yield from self._resumed(params)

    def _resumed(self, params: list[tuple[str, str]]) -> Iterator[Capture]:
        key: str | None = None
        while True:
            query = params + [("limit", str(self.limits.resume_limit)), ("showResumeKey", "true")]
            # The key comes URL-encoded and goes back as it came (encoding it again would garble it).
            got = self._get(self.cdx_url, query, kind="search", raw=f"&resumeKey={key}" if key else "")
            _check(got, self.cdx_url)
            captures, key = parse_cdx_json(got.body, self.cdx_url)
            yield from captures
            if not key or not captures:
                return

    # --- the captures ------------------------------------------------------------------------

    def capture_url(self, capture: Capture) -> str:
        return f"{self.wayback_url}/{capture.timestamp}id_/{capture.original}"

    def fetch(self, capture: Capture) -> Fetched:
        """The capture in its original form (no replay toolbar, no rewritten links)."""
        return self._get(self.capture_url(capture), [], kind="fetch")

    # --- HTTP with retries -------------------------------------------------------------------

    def _get(self, url: str, params: list[tuple[str, str]], *, kind: str, raw: str = "") -> Fetched:
        full = (f"{url}?{urlencode(params)}" if params else url) + raw
        rate = self.search_rate if kind == "search" else self.fetch_rate
        delay = self.limits.backoff
        attempt = 0
        while True:
            rate.wait()
            self.requests[kind] += 1
            problem, retry_after = self._attempt(full)
            if isinstance(problem, Fetched):
                return problem
            attempt += 1
            if attempt > self.limits.retries:
                raise ArchiveError(f"{full}: {problem} (gave up after {attempt} attempts)")
            wait = min(max(delay, retry_after or 0.0), self.limits.max_backoff)
            self.requests["retries"] += 1
            self.retry_messages.append(f"{full}: {problem}; retrying in {wait:g} s")
            self.sleep(wait)
            delay = min(delay * 2, self.limits.max_backoff)

    def _attempt(self, url: str) -> tuple[Fetched | str, float | None]:
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept-Encoding": "identity"})
        try:
            with urllib.request.urlopen(request, timeout=self.limits.timeout) as resp:  # noqa: S310
                body = resp.read()
                return Fetched(resp.status, resp.geturl(), body, resp.headers.get("Content-Type")), None
        except urllib.error.HTTPError as exc:
            if exc.code in RETRY_STATUS:
                return f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))
            body = exc.read() if exc.fp is not None else b""
            return Fetched(exc.code, exc.geturl(), body, exc.headers.get("Content-Type")), None
        except http.client.IncompleteRead as exc:
            return f"truncated record ({len(exc.partial)} bytes of {len(exc.partial) + (exc.expected or 0)})", None
        except TimeoutError:
            return f"timed out after {self.limits.timeout:g} s", None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                return f"timed out after {self.limits.timeout:g} s", None
            return f"connection failed ({exc.reason})", None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            return f"{type(exc).__name__}: {exc}", None


def _check(answer: Fetched, where: str) -> None:
    if answer.status != 200:
        raise ArchiveError(f"{where}: HTTP {answer.status}")


def parse_cdx_json(body: bytes, where: str) -> tuple[list[Capture], str | None]:
    """The captures of a JSON CDX answer, and its resumption key (after an empty row), if any."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return [], None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise ArchiveError(f"{where}: the CDX answer is not JSON ({text[:60]!r})") from None
    if not isinstance(data, list) or not data:
        return [], None
    header = [str(h) for h in data[0]]
    out = []
    resume: str | None = None
    rows = data[1:]
    if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
        resume = str(rows[-1][0])
        rows = rows[:-2]
    for row in rows:
        record = dict(zip(header, row, strict=False))
        if not record.get("timestamp") or not record.get("original"):
            continue
        out.append(Capture(timestamp=record["timestamp"], original=record["original"],
                           mimetype=record.get("mimetype", ""), statuscode=record.get("statuscode", ""),
                           digest=record.get("digest") or f"{record['timestamp']}:{record['original']}",
                           length=record.get("length", "")))
    return out, resume


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def cdx_timestamp(text: str | None) -> str | None:
    """``2013``, ``2013-05`` or ``2013-05-17`` as a CDX timestamp; the CDX API reads a short ``to``
    as the end of its period, so ``--to 2019`` includes all of 2019."""
    if not text:
        return None
    parts = text.split("-")
    if not (1 <= len(parts) <= 3) or not all(p.isdigit() for p in parts) or len(parts[0]) != 4 \
            or any(len(p) != 2 for p in parts[1:]):
        raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    digits = "".join(parts)
    try:
        datetime.strptime(digits, {1: "%Y", 2: "%Y%m", 3: "%Y%m%d"}[len(parts)])  # a real month and day
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return digits


def host_variants(url: str, domains: list[str]) -> list[str]:
    """The URL under every domain the source has had (bmwi.de → bmwk.de → bmwe.de), same path."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    www = host.startswith("www.")
    out = [url]
    for domain in domains:
        new_host = ("www." if www and not domain.startswith("www.") else "") + domain
        if new_host != host:
            out.append(parts._replace(netloc=new_host).geturl())
    return list(dict.fromkeys(out))
