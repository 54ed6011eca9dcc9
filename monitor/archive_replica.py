"""A replica of a web archive on 127.0.0.1: the Internet Archive's CDX search API and its
original-form (``id_``) captures, served from a folder. Used by the backfill tests; nothing in it
contacts a real archive.

The folder holds ``index.json``::

    {"page_rows": 4,               # index rows per CDX page (pageSize multiplies it)
     "paging": true,               # false: page/showNumPages answer 400; showResumeKey/resumeKey work
     "throttle": 1,                # the first N CDX requests are answered 429 (Retry-After: 0)
     "captures": [{"timestamp": "20130301120000", "original": "https://…", "file": "a.html",
                   "mimetype": "text/html", "statuscode": "200",
                   "location": "https://…",  # for 3xx captures: where the page redirected
                   "truncate": 300}]}        # send only this many bytes of the body, then close

Like the real service: rows are sorted by SURT key and timestamp; ``digest`` is the base32 SHA-1
of the capture's body; paging splits the rows matched by url/matchType/from/to *before* the
filters are applied (so a page may come back empty); ``filter`` is ``[!]field:regex`` (a full
match), ``collapse`` folds adjacent rows with the same field value, ``output=json`` answers a
list whose first row names the fields. ``/web/<timestamp>id_/<original>`` answers the capture's
bytes, a capture that was a redirect answers the redirect (to the archive's copy of its target),
a timestamp with no capture redirects to the nearest one, as the Wayback Machine does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit

from monitor.replica import LoopbackServer

FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


def surt_key(url: str) -> str:
    """A simplified SURT key: reversed host without www, then the path and query, lower case."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = parts.path or "/"
    key = ",".join(reversed(host.split("."))) + ")" + path.lower()
    return key + (("?" + parts.query.lower()) if parts.query else "")


def match_rows(captures: list[dict[str, Any]], params: dict[str, str]) -> list[dict[str, Any]]:
    """The captures that url, matchType, from and to select, in index order."""
    url = params.get("url", "")
    match_type = params.get("matchType", "exact")
    if url.endswith("*"):
        url, match_type = url[:-1], "prefix"
    key = surt_key(url)
    if match_type == "prefix":
        rows = [c for c in captures if c["urlkey"].startswith(key)]
    elif match_type in ("host", "domain"):
        host = key.split(")")[0]
        rows = [c for c in captures if c["urlkey"].split(")")[0] == host
                or (match_type == "domain" and c["urlkey"].split(")")[0].startswith(host + ","))]
    else:
        rows = [c for c in captures if c["urlkey"] == key]
    start, end = params.get("from"), params.get("to")
    if start:
        rows = [c for c in rows if c["timestamp"] >= (start + "00000000000000")[:14]]
    if end:
        rows = [c for c in rows if c["timestamp"] <= (end + "99991231235959"[len(end):])[:14]]
    return rows


class ArchiveReplica(LoopbackServer):
    def __init__(self, root: str | Path):
        self.root = Path(root)
        index = json.loads((self.root / "index.json").read_text(encoding="utf-8"))
        self.page_rows = int(index.get("page_rows", 5))
        self.throttle = int(index.get("throttle", 0))
        self.paging = bool(index.get("paging", True))  # false: page/showNumPages answer 400
        self.captures: list[dict[str, Any]] = []
        for c in index["captures"]:
            body = (self.root / c["file"]).read_bytes() if c.get("file") else b""
            self.captures.append({
                **c, "body": body, "urlkey": surt_key(c["original"]),
                "mimetype": c.get("mimetype", "text/html"), "statuscode": str(c.get("statuscode", "200")),
                "digest": base64.b32encode(hashlib.sha1(body).digest()).decode(),
                "length": str(len(body)),
            })
        self.captures.sort(key=lambda c: (c["urlkey"], c["timestamp"]))
        self.requests: list[str] = []
        self._lock = threading.Lock()
        replica = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                replica._handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self._serve(Handler)
        self.cdx_url = f"{self.url}/cdx/search/cdx"
        self.wayback_url = f"{self.url}/web"

    def fetched(self) -> list[str]:
        """The capture addresses requested so far (not the index searches)."""
        with self._lock:
            return [p for p in self.requests if p.startswith("/web/")]

    def searches(self) -> list[str]:
        with self._lock:
            return [p for p in self.requests if p.startswith("/cdx/")]

    # --- answers ----------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(h.path)
            throttled = h.path.startswith("/cdx/") and self.throttle > 0
            if throttled:
                self.throttle -= 1
        if throttled:
            self._send(h, 429, b"Too Many Requests", "text/plain", {"Retry-After": "0"})
            return
        parts = urlsplit(h.path)
        if parts.path == "/cdx/search/cdx":
            self._cdx(h, parse_qsl(parts.query, keep_blank_values=True))
        elif parts.path.startswith("/web/"):
            self._capture(h, h.path[len("/web/"):])
        else:
            self._send(h, 404, b"not found", "text/plain")

    def _cdx(self, h: BaseHTTPRequestHandler, query: list[tuple[str, str]]) -> None:
        params: dict[str, str] = {}
        filters: list[str] = []
        for key, value in query:
            if key == "filter":
                filters.append(value)
            else:
                params[key] = value
        url = params.get("url", "")
        if not url:
            self._send(h, 400, b"url parameter required", "text/plain")
            return
        rows = match_rows(self.captures, params)
        per_page = self.page_rows * max(1, int(params.get("pageSize", "1") or 1))
        if not self.paging and (params.get("showNumPages") == "true" or "page" in params):
            self._send(h, 400, b"pagination is not supported by this index", "text/plain")
            return
        if params.get("resumeKey"):
            after = tuple(params["resumeKey"].rstrip("!").split(" ", 1))  # decoded once, like the real one
            rows = [c for c in rows if (c["urlkey"], c["timestamp"]) > after]
        if params.get("showNumPages") == "true":
            self._send(h, 200, f"{math.ceil(len(rows) / per_page)}\n".encode(), "text/plain")
            return
        if "page" in params:
            page = int(params["page"])
            rows = rows[page * per_page:(page + 1) * per_page]
        for spec in filters:
            negate = spec.startswith("!")
            name, _, pattern = spec.lstrip("!").partition(":")
            regex = re.compile(pattern)
            rows = [c for c in rows if bool(regex.fullmatch(str(c.get(name, "")))) != negate]
        if params.get("collapse"):
            name = params["collapse"].split(":")[0]
            collapsed: list[dict[str, Any]] = []
            for c in rows:
                if not collapsed or collapsed[-1][name] != c[name]:
                    collapsed.append(c)
            rows = collapsed
        resume = None
        if params.get("limit"):
            limit = int(params["limit"])
            if params.get("showResumeKey") == "true" and len(rows) > limit:
                last = rows[limit - 1]
                resume = quote_plus(f"{last['urlkey']} {last['timestamp']}!")
            rows = rows[:limit]
        fields = [f for f in params.get("fl", ",".join(FIELDS)).split(",") if f]
        if params.get("output") == "json":
            data: list[list[str]] = [fields, *[[c[f] for f in fields] for c in rows]] if rows else []
            if resume and data:
                data += [[], [resume]]
            self._send(h, 200, json.dumps(data).encode(), "application/json")
        else:
            text = "".join(" ".join(c[f] for f in fields) + "\n" for c in rows)
            self._send(h, 200, text.encode(), "text/plain")

    def _capture(self, h: BaseHTTPRequestHandler, rest: str) -> None:
        stamp, _, original = rest.partition("/")
        timestamp = stamp.removesuffix("id_")
        same = [c for c in self.captures if c["original"] == original]
        if not same:
            self._send(h, 404, b"<html><body>Wayback Machine has not archived that URL.</body></html>", "text/html")
            return
        exact = [c for c in same if c["timestamp"] == timestamp]
        if not exact:
            nearest = min(same, key=lambda c: abs(int(c["timestamp"]) - int((timestamp + "0" * 14)[:14])))
            self._send(h, 302, b"", "text/plain",
                       {"Location": f"{self.wayback_url}/{nearest['timestamp']}id_/{original}"})
            return
        capture = exact[0]
        status = int(capture["statuscode"])
        if 300 <= status < 400:
            self._send(h, status, b"", "text/html",
                       {"Location": f"{self.wayback_url}/{capture['timestamp']}id_/{capture['location']}"})
            return
        self._send(h, status, capture["body"], capture["mimetype"] + "; charset=utf-8",
                   {"X-Archive-Orig-Date": capture["timestamp"]}, truncate=capture.get("truncate"))

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None, truncate: int | None = None) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            for key, value in (headers or {}).items():
                h.send_header(key, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if truncate is None:
                h.wfile.write(body)
                return
            h.wfile.write(body[:truncate])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True


class CommonCrawlReplica(ArchiveReplica):
    """The same captures as Common Crawl serves them: ``/collinfo.json`` lists one crawl per year
    of the captures, each with its CDX index (``/CC-MAIN-YYYY-10-index``: JSON lines with the
    WARC ``filename``, ``offset`` and ``length``; ``showNumPages`` answers ``{"pages": N}``; no
    capture: 404, as pywb does), and each crawl's records are one gzipped WARC file under
    ``/crawl-data/``, served by Range request (206). A ``truncate``d capture's range is cut short.
    """

    def __init__(self, root: str | Path):
        super().__init__(root)
        from io import BytesIO

        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        self.crawl_ids = sorted({f"CC-MAIN-{c['timestamp'][:4]}-10" for c in self.captures})
        self.warcs: dict[str, bytes] = {}
        for crawl in self.crawl_ids:
            out = BytesIO()
            writer = WARCWriter(out, gzip=True)
            for c in self.captures:
                if f"CC-MAIN-{c['timestamp'][:4]}-10" != crawl:
                    continue
                status = int(c["statuscode"])
                http = StatusAndHeaders(f"{status} {'OK' if status == 200 else 'Other'}",
                                        [("Content-Type", c["mimetype"] + "; charset=utf-8"),
                                         ("Content-Length", str(len(c["body"])))], protocol="HTTP/1.1")
                record = writer.create_warc_record(c["original"], "response", payload=BytesIO(c["body"]),
                                                   http_headers=http)
                start = out.tell()
                writer.write_record(record)
                c["filename"] = f"crawl-data/{crawl}/segments/0/warc/00000.warc.gz"
                c["offset"], c["warc_length"] = start, out.tell() - start
            self.warcs[crawl] = out.getvalue()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(h.path)
        parts = urlsplit(h.path)
        if parts.path == "/collinfo.json":
            crawls = [{"id": c, "name": c, "cdx-api": f"{self.url}/{c}-index",
                       "from": f"{c[8:12]}-01-01T00:00:00", "to": f"{c[8:12]}-12-31T23:59:59"}
                      for c in self.crawl_ids]
            self._send(h, 200, json.dumps(crawls).encode(), "application/json")
        elif parts.path.endswith("-index") and parts.path[1:-6] in self.crawl_ids:
            self._cc_index(h, parts.path[1:-6], dict(parse_qsl(parts.query)), [
                v for k, v in parse_qsl(parts.query) if k == "filter"])
        elif parts.path.startswith("/crawl-data/"):
            self._warc(h, parts.path.split("/")[2])
        else:
            self._send(h, 404, b"not found", "text/plain")

    def _cc_index(self, h: BaseHTTPRequestHandler, crawl: str, params: dict[str, str], filters: list[str]) -> None:
        rows = [c for c in match_rows(self.captures, params) if c["filename"].split("/")[1] == crawl]
        if not rows:
            self._send(h, 404, json.dumps({"message": "No Captures found for: " + params.get("url", "")}).encode(),
                       "application/json")
            return
        if params.get("showNumPages") == "true":
            self._send(h, 200, json.dumps({"pages": math.ceil(len(rows) / self.page_rows), "pageSize": 5,
                                           "blocks": len(rows)}).encode(), "application/json")
            return
        if "page" in params:
            page = int(params["page"])
            rows = rows[page * self.page_rows:(page + 1) * self.page_rows]
        for spec in filters:  # pywb: "=" exact, "~" contains, else a regex search; "!" negates
            negate = spec.startswith("!")
            spec = spec.lstrip("!")
            mode = spec[0] if spec[:1] in ("=", "~") else ""
            name, _, value = spec.lstrip("=~").partition(":")
            name = {"status": "statuscode", "mime": "mimetype"}.get(name, name)

            def hit(c: dict[str, Any], name: str = name, value: str = value, mode: str = mode) -> bool:
                field = str(c.get(name, ""))
                return field == value if mode == "=" else value in field if mode == "~" else bool(
                    re.search(value, field))

            rows = [c for c in rows if hit(c) != negate]
        lines = "".join(json.dumps({
            "urlkey": c["urlkey"], "timestamp": c["timestamp"], "url": c["original"], "mime": c["mimetype"],
            "mime-detected": c["mimetype"], "status": c["statuscode"], "digest": c["digest"],
            "length": str(c["warc_length"]), "offset": str(c["offset"]), "filename": c["filename"],
        }) + "\n" for c in rows)
        self._send(h, 200, lines.encode(), "text/x-ndjson")

    def _warc(self, h: BaseHTTPRequestHandler, crawl: str) -> None:
        data = self.warcs.get(crawl)
        if data is None:
            self._send(h, 404, b"not found", "text/plain")
            return
        match = re.fullmatch(r"bytes=(\d+)-(\d+)", h.headers.get("Range", ""))
        if not match:
            self._send(h, 200, data, "application/octet-stream")
            return
        start, end = int(match.group(1)), int(match.group(2))
        chunk = data[start:end + 1]
        record = next((c for c in self.captures if c.get("offset") == start
                       and c["filename"].split("/")[1] == crawl), None)
        truncate = record.get("truncate") if record else None
        self._send(h, 206, chunk, "application/octet-stream",
                   {"Content-Range": f"bytes {start}-{end}/{len(data)}"},
                   truncate=min(truncate, len(chunk)) if truncate is not None else None)
