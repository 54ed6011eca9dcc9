"""A static web server for replica sites, on 127.0.0.1 with a port chosen by the OS.

Serves the bundled snapshot for `clusterwatch demo`, and the replicas the tests crawl.

Conventions (the replicas under data/snapshot and tests/sites are written for them):
- a request with a query is served from ``<path>@<query>`` when that file exists, else ``<path>``;
  ``/`` is ``index.html``; ``;jsessionid=…`` path parameters are ignored;
- ``<file>.headers`` (lines ``Name: value``) adds or overrides response headers; ``{{BASE}}`` in
  a value becomes ``http://127.0.0.1:PORT`` (for ``Location``);
- ``{{BASE}}`` in .html/.xml/.atom/.rss files becomes ``http://127.0.0.1:PORT``;
- ETag and Last-Modified are sent, and honoured with 304, like a real web server;
- every request is logged, so tests can count what a crawl fetched.

Pseudo-headers in a ``.headers`` sidecar are consumed, never sent; they let tests play a broken or
hostile server:
- ``Status: 500`` answers with that status (``Status: 302`` with ``Location: {{BASE}}/x`` redirects);
- ``Delay: 5`` waits that many seconds (float) before answering, as an overloaded server does;
- ``Drop-After: 1000`` announces the whole body's Content-Length, sends only its first 1000 bytes
  and closes the connection.
A body meant to be sent as it is (a pre-compressed file with ``Content-Encoding: gzip``) needs
no pseudo-header: only .html/.xml/.atom/.rss/.rdf/.htm bodies are templated.
"""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import unquote, urlsplit

TYPES = {
    ".html": "text/html", ".htm": "text/html", ".xml": "application/rss+xml",
    ".rss": "application/rss+xml", ".atom": "application/atom+xml", ".rdf": "application/rdf+xml",
    ".txt": "text/plain", ".json": "application/json", ".png": "image/png",
}
TEMPLATED = {".html", ".htm", ".xml", ".rss", ".atom", ".rdf"}
_SESSION = re.compile(r";[a-z]+=[^/?]*", re.I)


class LoopbackServer:
    """An HTTP server on 127.0.0.1 (a free port) in a background thread: the base of the replicas."""

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class SiteServer(LoopbackServer):
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                server._handle(self, head=False)

            def do_HEAD(self) -> None:  # noqa: N802
                server._handle(self, head=True)

            def log_message(self, *args: object) -> None:
                pass

        self._serve(Handler)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def paths(self) -> list[str]:
        with self._lock:
            return [p for _, p, _ in self.requests]

    def resolve(self, raw_path: str) -> Path | None:
        parts = urlsplit(raw_path)
        path = unquote(_SESSION.sub("", parts.path))
        rel = path.lstrip("/")
        if not rel or rel.endswith("/"):
            rel += "index.html"
        candidates = [f"{rel}@{unquote(parts.query)}"] if parts.query else []
        candidates.append(rel)
        for candidate in candidates:
            target = (self.root / candidate).resolve()
            if self.root.resolve() in target.parents and target.is_file():
                return target
        return None

    def _handle(self, h: BaseHTTPRequestHandler, *, head: bool) -> None:
        with self._lock:
            self.requests.append((h.command, h.path, dict(h.headers.items())))
        target = self.resolve(h.path)
        if target is None:
            body = b"<html><body><h1>404 Not Found</h1></body></html>"
            h.send_response(404)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if not head:
                h.wfile.write(body)
            return
        name = target.name.split("@")[0]
        suffix = Path(name).suffix.lower() or ".html"
        body = target.read_bytes()
        if suffix in TEMPLATED:
            body = body.replace(b"{{BASE}}", self.url.encode())
        headers = {"Content-Type": TYPES.get(suffix, "application/octet-stream")}
        sidecar = target.with_name(target.name + ".headers")
        if sidecar.is_file():
            for line in sidecar.read_text(encoding="utf-8").splitlines():
                if ":" in line:
                    key, value = line.split(":", 1)
                    headers[key.strip()] = value.strip().replace("{{BASE}}", self.url)
        delay = float(headers.pop("Delay", "0"))
        drop_after = headers.pop("Drop-After", None)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        mtime = target.stat().st_mtime
        headers.setdefault("ETag", etag)
        headers.setdefault("Last-Modified", formatdate(mtime, usegmt=True))
        if self._not_modified(h, headers["ETag"], mtime):
            h.send_response(304)
            h.send_header("ETag", headers["ETag"])
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if delay:
            time.sleep(delay)
        try:
            h.send_response(int(headers.pop("Status", "200")))
            for key, value in headers.items():
                h.send_header(key, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if head:
                return
            if drop_after is None:
                h.wfile.write(body)
                return
            h.wfile.write(body[: int(drop_after)])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout, a refused size): that is its business, not an error
            # of the server's.
            h.close_connection = True

    @staticmethod
    def _not_modified(h: BaseHTTPRequestHandler, etag: str, mtime: float) -> bool:
        inm = h.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")]
        ims = h.headers.get("If-Modified-Since")
        if ims:
            try:
                return int(mtime) <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False
