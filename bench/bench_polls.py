"""Polling benchmark: `clusterwatch run` against N feeds served on loopback, most answering 304.

    python bench/bench_polls.py --feeds 100 --seconds 120
    python bench/bench_polls.py --feeds 1000 3000 --seconds 300 --every 15m

Each feed is a source of its own (`every` apart, with jitter); the feeds are spread over --sites
local servers (sites: one request at a time each, as on the web). A feed answers 304 to the
crawler's conditional request unless it changed; --changing of them get a new entry each
minute. The service runs as the user runs it (`python -m monitor run`) for --seconds after its
start-up (the first round of every source is left out of the figures); printed: polls per
second served, the CPU seconds the service and its crawl workers used per poll, and their
memory (resident, summed over the processes) at the start and the end of the measured span.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FILLER = "Die Mitglieder des Netzwerks trafen sich zum Austausch über gemeinsame Projekte."


def own_text(number: int, version: int) -> str:
    """A text of its own per feed and version: copies of one text would all be near duplicates,
    and the deduplication, not the polling, would be measured."""
    words = " ".join(f"Projekt{(number * 7919 + version * 104729 + k * 31) % 100003}" for k in range(60))
    return f"{FILLER} {words}."


class Feeds(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    polls = 0
    full = 0
    changing: set[int] = set()
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", {})
        if self.path.startswith("/a/"):  # an entry's page, fetched once when its summary is short
            number, _, v = self.path[3:].split(".")[0].partition("-")
            text = own_text(int(number), int(v))
            page = f"<html><body><article><h1>Meldung</h1><p>{text}</p></article></body></html>"
            return self._send(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
        number = int(self.path.rsplit("/", 1)[-1].split(".")[0])
        version = int(time.time() // 60) if number in Feeds.changing else 0
        etag = f'"{number}-{version}"'
        with Feeds.lock:
            Feeds.polls += 1
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", {"ETag": etag})
        with Feeds.lock:
            Feeds.full += 1
        items = "".join(
            f"<item><title>Meldung {number}-{v}</title><link>http://{self.headers['Host']}/a/{number}-{v}.html</link>"
            f"<guid>{number}-{v}</guid><pubDate>{formatdate(1700000000 + v * 60)}</pubDate>"
            f"<description>Cluster {number}, Runde {v}: {own_text(number, v)}</description></item>"
            for v in range(max(0, version - 2), version + 1))
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {number}</title>{items}</channel></rss>'
        self._send(200, body.encode(), {"ETag": etag, "Content-Type": "application/rss+xml"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def tree_pids(root: int) -> list[int]:
    """The process and its descendants (the crawl workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def cpu_and_rss(root: int) -> tuple[float, float]:
    tick = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    cpu = rss = 0.0
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            # utime + stime, and cutime + cstime: a retired worker, once reaped, counts in its parent's.
            cpu += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / tick
            rss += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page / 2**20
        except OSError:
            continue
    return cpu, rss


def run(feeds: int, sites: int, seconds: float, every: str, changing: float, workers: int,
        verbose: bool = False) -> None:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Feeds) for _ in range(sites)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    from crawler.sources import parse_duration

    # APScheduler delays each run by up to the jitter: the schedule asks for N / (every + jitter / 2).
    jitter = max(1, round(parse_duration(every) / 10))
    wanted = feeds / (parse_duration(every) + jitter / 2)
    Feeds.changing = set(range(0, feeds, max(1, int(1 / changing)))) if changing else set()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "cw.toml"
        lines = ['database = "data.db"', "", "[crawler]", 'contact = "bench@localhost"', "download_delay = 0",
                 "autothrottle = false", "retries = 0", "timeout = 10", "allow_private_addresses = true", "",
                 "[service]", f"crawl_workers = {workers}", 'crawl_timeout = "60s"', ""]
        for i in range(feeds):
            port = servers[i % sites].server_address[1]
            lines += ["[[sources]]", f'name = "feed{i}"', 'kind = "feed"', f'url = "http://127.0.0.1:{port}/f/{i}.xml"',
                      f'every = "{every}"', f'jitter = "{jitter}s"', ""]
        config.write_text("\n".join(lines))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWATCH")}
        log = open(Path(tempfile.gettempdir()) / f"bench_polls_service_{feeds}.log", "w")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run"], cwd=tmp, env=env,
                                stdout=subprocess.DEVNULL, stderr=log, text=True)
        try:
            # Start-up: every source's first crawl (a full fetch) happens now; measured from the end of it.
            started = time.monotonic()
            deadline = started + max(120.0, feeds / 2)
            while Feeds.full < feeds and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(1)
            first_round, first_full = Feeds.polls, Feeds.full
            cpu0, rss0 = cpu_and_rss(proc.pid)
            print(f"{feeds:>5} feeds: first round (every feed's first, full fetch) {first_full} full fetches, "
                  f"{first_round} polls in {time.monotonic() - started:.0f} s, {cpu0:.0f} s CPU "
                  f"({cpu0 / max(first_round, 1) * 1000:.0f} ms per poll), memory {rss0:.0f} MiB", flush=True)
            polls0, t0 = Feeds.polls, time.monotonic()
            samples = [rss0]
            while time.monotonic() - t0 < seconds and proc.poll() is None:
                time.sleep(min(60.0 if verbose else 10.0, seconds / 6))
                samples.append(cpu_and_rss(proc.pid)[1])
                if verbose:
                    print(f"  {time.monotonic() - t0:6.0f} s: {Feeds.polls - polls0} polls, "
                          f"{cpu_and_rss(proc.pid)[0] - cpu0:.1f} s CPU, {samples[-1]:.0f} MiB", flush=True)
            cpu1, rss1 = cpu_and_rss(proc.pid)
            polls = Feeds.polls - polls0
            span = time.monotonic() - t0
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
        for server in servers:
            server.shutdown()
    cpu = cpu1 - cpu0
    print(f"{feeds:>5} feeds ({sites} sites, every {every}): first round {first_round} polls; then "
          f"{polls / span:6.2f} polls/s (schedule: {wanted:.2f}) over {span:.0f} s, "
          f"{cpu / max(polls, 1) * 1000:6.1f} ms CPU per poll "
          f"({cpu / span * 100:4.1f} % of one core, {cpu / span / (os.cpu_count() or 1) * 100:4.1f} % of the machine's "
          f"{os.cpu_count()} cores), memory {rss0:.0f} -> {rss1:.0f} MiB "
          f"(max {max(samples):.0f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, nargs="+", default=[100])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--every", default=None, help="each feed's interval (default: feeds/3.3 s, 3.3 polls/s)")
    parser.add_argument("--changing", type=float, default=0.05, help="share of feeds with a new entry each minute")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="print polls, CPU and memory at each sample")
    args = parser.parse_args()
    for n in args.feeds:
        Feeds.polls = Feeds.full = 0
        every = args.every or f"{max(30, round(n / 3.3))}s"
        run(n, args.sites, args.seconds, every, args.changing, args.workers, args.verbose)


if __name__ == "__main__":
    main()
