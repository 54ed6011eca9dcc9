"""Politeness towards the sites: retries back off, the crawler names itself, one request at a time."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import write_config


class Flaky(BaseHTTPRequestHandler):
    times: list[float] = []
    agents: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            body, status = b"User-agent: *\nAllow: /\n", 200
        else:
            Flaky.times.append(time.monotonic())
            Flaky.agents.append(self.headers.get("User-Agent", ""))
            body, status = b"overloaded", 503
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_retries_back_off_exponentially_and_the_crawler_names_a_contact(tmp_path, cli) -> None:
    Flaky.times, Flaky.agents = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = write_config(tmp_path / "cw.toml", [
            {"name": "flaky", "kind": "feed", "url": f"http://127.0.0.1:{server.server_address[1]}/feed.xml"}],
            crawler={"retries": 3, "retry_backoff": 0.4, "contact": "analyst@example.org"})
        run = cli("crawl", "--json", config=config).json()[0]
    finally:
        server.shutdown()
    assert run["status"] == "failed" and "HTTP 503" in run["error_messages"][0]
    assert len(Flaky.times) == 4  # the request and three retries
    gaps = [b - a for a, b in zip(Flaky.times, Flaky.times[1:], strict=False)]
    assert gaps[0] >= 0.4 and gaps[1] >= 0.8 and gaps[2] >= 1.6, gaps
    assert all("clusterwatch/" in ua and "analyst@example.org" in ua for ua in Flaky.agents)
