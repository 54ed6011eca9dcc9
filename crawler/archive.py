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
``page``/``pageSize`` for paging, ``showResumeKey``/``resumeKey`` where an index cannot page.

``CommonCrawlClient`` reads Common Crawl: its list of crawls (``collinfo.json``), each crawl's own
pywb index (JSON lines) and each capture as one WARC record by Range request, read with warcio.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from crawler.errors import ClusterwatchError

FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
# HTML pages and feeds; everything else (images, PDFs, scripts) cannot hold an announcement.
MIME_FILTER = r"mimetype:(text/html|application/xhtml\+xml|application/(rss|atom|rdf)\+xml|application/xml|text/xml)"
RETRY_STATUS = {429, 500, 502, 503, 504, 509}

ARCHIVES = {
    "wayback": {
        "cdx_url": "https://web.archive.org/cdx/search/cdx",
        "wayback_url": "https://web.archive.org/web",
    },
    "commoncrawl": {
        "cdx_url": "https://index.commoncrawl.org/collinfo.json",  # the list of crawls, each with its index
        "wayback_url": "https://data.commoncrawl.org",  # where the WARC files are
    },
}
PAGE_TYPES = re.compile(r"text/html|application/xhtml\+xml|application/(rss|atom|rdf)\+xml|application/xml|text/xml")


class ArchiveError(ClusterwatchError):
    """The archive could not answer, after the retries; the message is one line."""


@dataclass(frozen=True)
class Capture:
    timestamp: str  # YYYYMMDDhhmmss
    original: str
    mimetype: str
    statuscode: str
    digest: str
    length: str = ""
    filename: str = ""  # Common Crawl: the WARC file and the record's place in it
    offset: int = 0

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
        self.extra_headers: dict[str, str] = {}
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
                                                       "Accept-Encoding": "identity", **self.extra_headers})
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


class CommonCrawlClient(CDXClient):
    """Common Crawl: one CDX index per crawl (listed in ``collinfo.json``), each answering JSON
    lines with the WARC file, offset and length of every capture; a capture is one gzipped WARC
    record, fetched with a Range request and read with warcio."""

    def __init__(self, cdx_url: str, wayback_url: str, **kwargs: Any):
        super().__init__(cdx_url, wayback_url, **kwargs)
        self._crawls: list[dict[str, Any]] | None = None

    def crawls(self, start: str | None, end: str | None) -> list[dict[str, Any]]:
        if self._crawls is None:
            answer = self._get(self.cdx_url, [], kind="search")
            _check(answer, self.cdx_url)
            try:
                self._crawls = [c for c in json.loads(answer.body) if isinstance(c, dict) and c.get("cdx-api")]
            except json.JSONDecodeError:
                raise ArchiveError(f"{self.cdx_url}: the list of crawls is not JSON") from None
        out = []
        for crawl in self._crawls:
            # collinfo.json gives each crawl's first and last day; without them every crawl is asked.
            first = re.sub(r"\D", "", str(crawl.get("from", "")))[:14]
            last = re.sub(r"\D", "", str(crawl.get("to", "")))[:14]
            if end and first and first > (end + "99991231235959"[len(end):]):
                continue
            if start and last and last < (start + "00000000000000")[:14]:
                continue
            out.append(crawl)
        return out

    def captures(self, prefix: str, *, match_type: str = "prefix", start: str | None = None,
                 end: str | None = None) -> Iterator[Capture]:
        params = [("url", prefix), ("matchType", match_type), ("output", "json"), ("filter", "=status:200")]
        if start:
            params.append(("from", start))
        if end:
            params.append(("to", end))
        seen: set[str] = set()
        for crawl in self.crawls(start, end):
            api = crawl["cdx-api"]
            answer = self._get(api, params + [("showNumPages", "true")], kind="search")
            if answer.status == 404:  # nothing under this address in this crawl
                continue
            _check(answer, api)
            try:
                info = json.loads(answer.body)
                pages = int(info["pages"] if isinstance(info, dict) else info)
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                raise ArchiveError(f"{api}: showNumPages answered {answer.body[:60]!r}") from None
            for page in range(pages):
                got = self._get(api, params + [("page", str(page))], kind="search")
                if got.status == 404:
                    break
                _check(got, api)
                for line in got.body.decode("utf-8", "replace").splitlines():
                    capture = _cc_capture(line, api)
                    if capture is None or capture.digest in seen:
                        continue
                    seen.add(capture.digest)
                    yield capture

    def fetch(self, capture: Capture) -> Fetched:
        from io import BytesIO

        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        url = f"{self.wayback_url}/{capture.filename}"
        length = int(capture.length or 0)
        got = self._get_range(url, capture.offset, length)
        try:
            for record in ArchiveIterator(BytesIO(got)):
                if record.rec_type != "response":
                    continue
                status = int(record.http_headers.get_statuscode() or 0)
                body = record.content_stream().read()
                return Fetched(status, capture.original, body, record.http_headers.get_header("Content-Type"))
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            raise ArchiveError(f"{url} (bytes {capture.offset}-{capture.offset + length - 1}): broken WARC record:"
                               f" {type(exc).__name__}: {exc}") from None
        raise ArchiveError(f"{url} (bytes {capture.offset}-{capture.offset + length - 1}): no response record")

    def _get_range(self, url: str, offset: int, length: int) -> bytes:
        self.extra_headers = {"Range": f"bytes={offset}-{offset + length - 1}"}
        try:
            answer = self._get(url, [], kind="fetch")
        finally:
            self.extra_headers = {}
        if answer.status not in (200, 206):
            raise ArchiveError(f"{url}: HTTP {answer.status}")
        if length and len(answer.body) < length:
            raise ArchiveError(f"{url}: truncated record ({len(answer.body)} bytes of {length})")
        return answer.body


def _cc_capture(line: str, where: str) -> Capture | None:
    line = line.strip()
    if not line:
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        raise ArchiveError(f"{where}: an index line is not JSON ({line[:60]!r})") from None
    mime = str(record.get("mime-detected") or record.get("mime") or "")
    if str(record.get("status", "")) != "200" or not PAGE_TYPES.fullmatch(mime.split(";")[0].strip()):
        return None
    if not record.get("filename") or not record.get("url"):
        return None
    return Capture(timestamp=str(record["timestamp"]), original=record["url"], mimetype=mime,
                   statuscode="200", digest=str(record.get("digest") or record["timestamp"] + record["url"]),
                   length=str(record.get("length", "")), filename=record["filename"],
                   offset=int(record.get("offset", 0)))


def client_for(archive: str, cdx_url: str, wayback_url: str, **kwargs: Any) -> CDXClient:
    cls = CommonCrawlClient if archive == "commoncrawl" else CDXClient
    return cls(cdx_url, wayback_url, **kwargs)
